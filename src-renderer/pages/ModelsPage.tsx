import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  PasswordInput,
  Progress,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { client } from '../api/client.js';
import { useCall } from '../api/use-call.js';
import { CheckpointImportCard } from '../models/CheckpointImport.js';
import { ModelFilesCard } from '../models/ModelFilesCard.js';
import { useConverts } from '../models/use-converts.js';
import { useInstalls } from '../models/use-installs.js';
import { ConfirmModal, formatBytes } from '../models/ui-bits.js';

const notifyError = (title: string) => (err: Error) =>
  notifications.show({ color: 'red', title, message: err.message });

function InstallCard({ installs: { installs, start, cancel } }: { installs: ReturnType<typeof useInstalls> }) {
  const [repo, setRepo] = useState('');
  const [revision, setRevision] = useState('');
  const [subfolder, setSubfolder] = useState('');
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Install from Hugging Face
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        A repository that holds an ONNX export (for example an SD 1.5 ONNX export). Only the files the layout needs are
        downloaded; an interrupted download resumes.
      </Text>
      <Group align="end">
        <TextInput
          label="Repository"
          placeholder="owner/name"
          value={repo}
          onChange={(e) => setRepo(e.currentTarget.value.trim())}
          data-testid="install-repo"
          style={{ flex: 2 }}
        />
        <TextInput
          label="Revision"
          placeholder="main"
          value={revision}
          onChange={(e) => setRevision(e.currentTarget.value.trim())}
          style={{ flex: 1 }}
        />
        <TextInput
          label="Subfolder"
          placeholder="(optional)"
          value={subfolder}
          onChange={(e) => setSubfolder(e.currentTarget.value.trim())}
          style={{ flex: 1 }}
        />
        <Button
          disabled={!/^[\w.-]+\/[\w.-]+$/.test(repo)}
          onClick={() => start(repo, revision, subfolder).catch(notifyError('Cannot install'))}
          data-testid="install-button"
        >
          Install
        </Button>
      </Group>
      <Stack mt="sm" gap="xs">
        {installs.map((i) => {
          const p = i.progress;
          const pct = p && p.bytesTotal > 0 ? (p.bytesDone / p.bytesTotal) * 100 : 0;
          return (
            <div key={i.installId} data-testid="install-row">
              <Group justify="space-between">
                <Text size="sm" fw={500}>
                  {i.repo}
                </Text>
                <Text size="xs" c={i.done?.status === 'failed' ? 'red' : 'dimmed'} data-testid="install-status">
                  {i.done
                    ? i.done.status === 'succeeded'
                      ? `Installed as ${i.done.name}`
                      : i.done.status === 'cancelled'
                        ? 'Cancelled'
                        : `Failed: ${i.done.error?.message}`
                    : p
                      ? `${formatBytes(p.bytesDone)} / ${formatBytes(p.bytesTotal)} · ${(p.speedBps / 2 ** 20).toFixed(1)} MiB/s${p.etaMs !== null ? ` · ${Math.round(p.etaMs / 1000)} s left` : ''}`
                      : 'Listing files...'}
                </Text>
              </Group>
              {!i.done && (
                <Group gap="xs">
                  <Progress value={pct} style={{ flex: 1 }} aria-label={`Download of ${i.repo}`} />
                  <Button size="compact-xs" variant="light" color="red" onClick={() => cancel(i.installId)}>
                    Cancel
                  </Button>
                </Group>
              )}
            </div>
          );
        })}
      </Stack>
    </Card>
  );
}

function LocalFolderCard({ onImported }: { onImported: () => void }) {
  const [folder, setFolder] = useState('');
  const [mode, setMode] = useState<'copy' | 'link'>('link');
  const importFolder = () =>
    client.invoke('models.importFolder', { path: folder, mode }).then(({ name }) => {
      notifications.show({ color: 'green', message: `Added ${name}` });
      setFolder('');
      onImported();
    }, notifyError('Cannot add the folder'));
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Add a model folder from this computer
      </Title>
      <Group align="end">
        <TextInput
          label="Folder (absolute path)"
          value={folder}
          onChange={(e) => setFolder(e.currentTarget.value)}
          style={{ flex: 1 }}
        />
        <SegmentedControl
          aria-label="Copy or link"
          value={mode}
          onChange={(v) => setMode(v as 'copy' | 'link')}
          data={[
            { value: 'link', label: 'Use in place' },
            { value: 'copy', label: 'Copy' },
          ]}
        />
        <Button disabled={!folder} onClick={() => void importFolder()}>
          Add
        </Button>
      </Group>
    </Card>
  );
}

function TokenCard() {
  const status = useCall('models.tokenStatus', {});
  const [token, setToken] = useState('');
  if (!status.data) return null;
  const save = (value: string | null) =>
    client.invoke('models.setToken', { token: value }).then(() => {
      setToken('');
      status.reload();
      notifications.show({ color: 'green', message: value ? 'Token stored in the OS keychain' : 'Token removed' });
    }, notifyError('Cannot store the token'));
  return (
    <Card withBorder>
      <Title order={4} mb="xs">
        Access token for gated repositories
      </Title>
      {status.data.canStore ? (
        <Group align="end">
          <PasswordInput
            label={status.data.hasToken ? 'A token is stored; enter a new one to replace it' : 'Hugging Face token'}
            value={token}
            onChange={(e) => setToken(e.currentTarget.value)}
            style={{ flex: 1 }}
          />
          <Button disabled={!token} onClick={() => void save(token)}>
            Store
          </Button>
          {status.data.hasToken && (
            <Button variant="default" onClick={() => void save(null)}>
              Remove
            </Button>
          )}
        </Group>
      ) : (
        <Text size="sm" c="dimmed">
          {status.data.hasToken
            ? 'Using the token from HF_TOKEN.'
            : 'No keychain here: start the studio with HF_TOKEN set to use gated repositories.'}
        </Text>
      )}
    </Card>
  );
}

export function ModelsPage() {
  const models = useCall('models.list', {});
  const info = useCall('system.info', {});
  const [confirm, setConfirm] = useState<string | null>(null);
  const settings = useCall('settings.get', {});
  const vaes = useCall('models.networks', {}).data?.vae ?? [];
  /** A model's own VAE choice, taken by the Generate page when the model is chosen; null: its built-in one. */
  const setModelVae = (model: string, vae: string | null) => {
    const next = { ...(settings.data?.modelVaes ?? {}) };
    if (vae) next[model] = vae;
    else delete next[model];
    return client.invoke('settings.set', { modelVaes: next }).then(settings.reload, notifyError('Cannot save the VAE'));
  };
  const installs = useInstalls(models.reload);
  const converts = useConverts(models.reload);
  const installTemplate = (repo: string) =>
    installs
      .start(repo, '', '')
      .then(
        () => notifications.show({ message: `Installing ${repo}: see its progress below` }),
        notifyError('Cannot install'),
      );
  const convertFromFolder = (file: string) =>
    converts.start(file, '').catch(notifyError('Cannot convert the checkpoint'));

  const makeDefault = (name: string) =>
    client.invoke('settings.set', { defaultModel: name }).then(() => {
      models.reload();
      notifications.show({ message: `${name} is now the default model`, color: 'green' });
    }, notifyError('Cannot change the default'));
  const remove = (name: string) =>
    client.invoke('models.delete', { name }).then(() => {
      setConfirm(null);
      models.reload();
    }, notifyError('Cannot remove the model'));

  return (
    <Stack maw={1100}>
      <Title order={2}>Models</Title>
      <Text size="sm" c="dimmed">
        ONNX exports of Stable Diffusion in the Hugging Face folder layout, from{' '}
        <Text span ff="monospace">
          {info.data?.modelsDir ?? 'the models folder'}
        </Text>{' '}
        and the app itself.
      </Text>
      {models.loading && !models.data && <Loader aria-label="Loading models" />}
      {models.error && <Alert color="red">{models.error}</Alert>}
      {models.data && models.data.models.length === 0 && (
        <Alert title="No models yet">Install one below or add a folder.</Alert>
      )}
      {models.data && models.data.models.length > 0 && (
        <Card withBorder>
          <Table data-testid="models-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Size</Table.Th>
                <Table.Th>Hash</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {models.data.models.map((m) => (
                <Table.Tr key={m.name} data-testid={`model-row-${m.name}`}>
                  <Table.Td>
                    <Group gap="xs">
                      <Text fw={500}>{m.name}</Text>
                      {models.data!.defaultModel === m.name && <Badge size="sm">default</Badge>}
                      {m.source === 'builtin' && (
                        <Badge size="sm" variant="outline">
                          built in
                        </Badge>
                      )}
                      {m.linked && (
                        <Badge size="sm" variant="outline">
                          linked
                        </Badge>
                      )}
                    </Group>
                  </Table.Td>
                  <Table.Td>
                    {m.family
                      ? `${m.family}${m.inpainting ? ' inpainting' : ''} · ${m.precision} · ${m.predictionType}`
                      : '-'}
                  </Table.Td>
                  <Table.Td>{formatBytes(m.sizeBytes)}</Table.Td>
                  <Table.Td>
                    <Text ff="monospace" size="xs">
                      {m.hash ?? '...'}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    {m.problem ? (
                      <Text c="red" size="sm">
                        {m.problem}
                      </Text>
                    ) : (
                      <Text c="green" size="sm">
                        Ready
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="end" wrap="nowrap">
                      {!m.problem && (vaes.length > 0 || settings.data?.modelVaes[m.name]) && (
                        <Select
                          size="xs"
                          w={170}
                          placeholder="Its own VAE"
                          clearable
                          aria-label={`VAE for ${m.name}`}
                          value={settings.data?.modelVaes[m.name] ?? null}
                          data={[
                            ...vaes.map((v) => v.name),
                            ...(settings.data?.modelVaes[m.name] &&
                            !vaes.some((v) => v.name === settings.data?.modelVaes[m.name])
                              ? [settings.data.modelVaes[m.name]!]
                              : []),
                          ]}
                          onChange={(v) => void setModelVae(m.name, v)}
                          data-testid={`model-vae-${m.name}`}
                        />
                      )}
                      {!m.problem && models.data!.defaultModel !== m.name && (
                        <Button size="xs" variant="light" onClick={() => void makeDefault(m.name)}>
                          Make default
                        </Button>
                      )}
                      {m.source === 'user' && (
                        <Button size="xs" variant="subtle" color="red" onClick={() => setConfirm(m.name)}>
                          Remove
                        </Button>
                      )}
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </Card>
      )}
      <CheckpointImportCard converts={converts} onInstall={(repo) => void installTemplate(repo)} />
      <ModelFilesCard modelsDir={info.data?.modelsDir ?? null} onConvert={(file) => void convertFromFolder(file)} />
      <InstallCard installs={installs} />
      <LocalFolderCard onImported={models.reload} />
      <TokenCard />
      <ConfirmModal
        opened={confirm !== null}
        title="Remove model?"
        confirmLabel="Remove"
        testId="confirm-remove"
        onConfirm={() => confirm && void remove(confirm)}
        onClose={() => setConfirm(null)}
      >
        Remove <b>{confirm}</b> from the models folder? A linked folder stays where it is; a copied or downloaded one is
        deleted.
      </ConfirmModal>
    </Stack>
  );
}
