import {
  Alert,
  Badge,
  Button,
  Card,
  Group,
  Loader,
  Modal,
  SegmentedControl,
  FileButton,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Title,
  Tooltip,
  useMantineColorScheme,
} from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { PROVIDERS, type Settings, type SettingsPatch } from '../../src-shared/domain/settings.js';
import { client } from '../api/client.js';
import { useCall } from '../api/use-call.js';

function SystemInfoCard() {
  const info = useCall('system.info', {});
  if (info.loading && !info.data) return <Loader aria-label="Loading system information" />;
  if (info.error || !info.data)
    return (
      <Alert color="red" title="System information unavailable">
        {info.error}
      </Alert>
    );
  const s = info.data;
  return (
    <Card withBorder data-testid="system-info">
      <Title order={4} mb="sm">
        System
      </Title>
      <Table>
        <Table.Tbody>
          <Table.Tr>
            <Table.Th>Latent Studio</Table.Th>
            <Table.Td>
              {s.appVersion} ({s.shell === 'electron' ? 'desktop app' : 'headless host'})
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Platform</Table.Th>
            <Table.Td>
              {s.platform} {s.arch}
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Node</Table.Th>
            <Table.Td>{s.versions.node}</Table.Td>
          </Table.Tr>
          {s.versions.electron && (
            <Table.Tr>
              <Table.Th>Electron</Table.Th>
              <Table.Td>
                {s.versions.electron} (Chrome {s.versions.chrome})
              </Table.Td>
            </Table.Tr>
          )}
          <Table.Tr>
            <Table.Th>ONNX Runtime</Table.Th>
            <Table.Td>{s.versions.onnxruntime}</Table.Td>
          </Table.Tr>
          {s.versions.sqlite && (
            <Table.Tr>
              <Table.Th>SQLite</Table.Th>
              <Table.Td>{s.versions.sqlite}</Table.Td>
            </Table.Tr>
          )}
          <Table.Tr>
            <Table.Th>GPU</Table.Th>
            <Table.Td>{s.gpuName ?? 'No NVIDIA GPU detected'}</Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Execution providers</Table.Th>
            <Table.Td>
              <Group gap="xs" data-testid="provider-list">
                {s.providers.map((p) => (
                  <Tooltip key={p.name} label={p.usable ? 'Works on this machine' : `Unavailable: ${p.reason}`}>
                    <Badge
                      variant={p.usable ? 'filled' : 'outline'}
                      color={p.usable ? undefined : 'gray'}
                      data-testid={`provider-${p.name}`}
                      data-usable={p.usable}
                    >
                      {p.name}
                      {p.usable ? '' : ' (unavailable)'}
                    </Badge>
                  </Tooltip>
                ))}
              </Group>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Models folder</Table.Th>
            <Table.Td>
              <Text ff="monospace" size="sm">
                {s.modelsDir}
              </Text>
            </Table.Td>
          </Table.Tr>
          <Table.Tr>
            <Table.Th>Data folder</Table.Th>
            <Table.Td>
              <Text ff="monospace" size="sm">
                {s.dataDir}
              </Text>
            </Table.Td>
          </Table.Tr>
        </Table.Tbody>
      </Table>
    </Card>
  );
}

function PreferencesCard() {
  const loaded = useCall('settings.get', {});
  const engine = useCall('engine.providers', {});
  const [settings, setSettings] = useState<Settings | null>(null);
  const [modelsDir, setModelsDir] = useState('');
  const [confirmDir, setConfirmDir] = useState<string | null>(null);
  const { setColorScheme } = useMantineColorScheme();
  useEffect(() => {
    if (loaded.data) {
      setSettings(loaded.data);
      setModelsDir(loaded.data.modelsDir ?? '');
    }
  }, [loaded.data]);

  const save = async (patch: SettingsPatch) => {
    try {
      const next = await client.invoke('settings.set', patch);
      setSettings(next);
      if (patch.theme) setColorScheme(patch.theme);
      notifications.show({ message: 'Settings saved', color: 'green', autoClose: 1500 });
    } catch (err) {
      notifications.show({ title: 'Could not save settings', message: (err as Error).message, color: 'red' });
    }
  };

  if (loaded.error)
    return (
      <Alert color="red" title="Settings unavailable">
        {loaded.error}
      </Alert>
    );
  if (!settings) return <Loader aria-label="Loading settings" />;
  return (
    <Card withBorder>
      <Title order={4} mb="sm">
        Preferences
      </Title>
      <Stack>
        <div>
          <Text size="sm" fw={500} id="theme-label">
            Theme
          </Text>
          <SegmentedControl
            aria-labelledby="theme-label"
            data-testid="theme-control"
            value={settings.theme}
            onChange={(v) => void save({ theme: v as Settings['theme'] })}
            data={[
              { value: 'dark', label: 'Dark' },
              { value: 'light', label: 'Light' },
              { value: 'auto', label: 'System' },
            ]}
          />
        </div>
        <Select
          label="Execution provider"
          description="Auto tries CUDA, DirectML, WebGPU, then CPU, and reports any fallback."
          value={settings.providerPreference}
          allowDeselect={false}
          onChange={(v) => v && void save({ providerPreference: v as Settings['providerPreference'] })}
          data={[
            { value: 'auto', label: 'Auto (fastest available)' },
            ...PROVIDERS.map((p) => {
              const status = engine.data?.providers.find((s) => s.name === p.name);
              const usable = status?.usable ?? true;
              return {
                value: p.name,
                label: usable ? p.label : `${p.label}: unavailable (${status?.reason})`,
                disabled: !usable && settings.providerPreference !== p.name,
              };
            }),
          ]}
        />
        <Select
          label="Default noise source (RNG)"
          description="CPU matches ComfyUI's default noise; GPU matches AUTOMATIC1111's default. Same seed, same noise."
          value={settings.rngMode}
          allowDeselect={false}
          onChange={(v) => v && void save({ rngMode: v as Settings['rngMode'] })}
          data={[
            { value: 'cpu', label: 'CPU (torch CPU generator)' },
            { value: 'gpu', label: 'GPU (torch CUDA Philox)' },
          ]}
        />
        <Group align="end">
          <FileButton
            accept=".csv,text/csv"
            onChange={(file) =>
              file &&
              void file
                .text()
                .then((csv) => client.invoke('styles.import', { csv }))
                .then(
                  (r) =>
                    notifications.show({
                      color: 'green',
                      message: `${r.imported} styles imported (${r.styles.length} in all)`,
                    }),
                  (e: Error) =>
                    notifications.show({ color: 'red', title: 'Could not import styles', message: e.message }),
                )
            }
          >
            {(props) => (
              <Button variant="light" {...props} data-testid="import-styles">
                Import A1111 styles.csv
              </Button>
            )}
          </FileButton>
          <Text size="xs" c="dimmed">
            Prompt styles, as AUTOMATIC1111 saves them; pick them under the prompt on the Generate page.
          </Text>
        </Group>
        <NumberInput
          label="CPU threads"
          description="Threads for inference on the CPU; empty for all cores. Fewer leave room for other programs. Applies from the next generation."
          placeholder={`all (${navigator.hardwareConcurrency ?? '?'})`}
          min={1}
          max={256}
          allowDecimal={false}
          allowNegative={false}
          value={settings.cpuThreads ?? ''}
          onChange={(v) =>
            void save({ cpuThreads: v === '' || v === null ? null : Math.max(1, Math.trunc(Number(v))) })
          }
          data-testid="cpu-threads"
        />
        <Group align="end">
          <TextInput
            label="Models folder"
            description="Where installed models live; empty for the default in the data folder."
            placeholder="(default)"
            value={modelsDir}
            onChange={(e) => setModelsDir(e.currentTarget.value)}
            style={{ flex: 1 }}
            data-testid="models-dir"
          />
          <Button
            variant="default"
            disabled={modelsDir === (settings.modelsDir ?? '')}
            onClick={() => {
              const next = modelsDir.trim();
              if (next) setConfirmDir(next);
              else void save({ modelsDir: null });
            }}
          >
            Save folder
          </Button>
        </Group>
      </Stack>
      <Modal opened={confirmDir !== null} onClose={() => setConfirmDir(null)} title="Use this models folder?">
        <Text size="sm">
          The studio will list the models in <b>{confirmDir}</b>, install new ones there, and delete a model's folder
          there when you remove it on the Models page. Folders that are not models are never touched.
        </Text>
        <Group justify="end" mt="md">
          <Button variant="default" onClick={() => setConfirmDir(null)}>
            Cancel
          </Button>
          <Button
            data-testid="confirm-models-dir"
            onClick={() => {
              const dir = confirmDir;
              setConfirmDir(null);
              if (dir) void save({ modelsDir: dir });
            }}
          >
            Use this folder
          </Button>
        </Group>
      </Modal>
    </Card>
  );
}

export function SettingsPage() {
  return (
    <Stack maw={900}>
      <Title order={2}>Settings</Title>
      <PreferencesCard />
      <SystemInfoCard />
    </Stack>
  );
}
