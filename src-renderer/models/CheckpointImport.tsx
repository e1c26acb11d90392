/**
 * Bring a single-file checkpoint (or a diffusers folder of safetensors): give
 * its path or drop it (Electron knows where a dropped file is), see what it is
 * and which installed model lends it its graphs (or install one in one
 * click), then convert it with progress and cancel.
 */
import { Alert, Button, Card, Group, Progress, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState } from 'react';
import type { CheckpointInspection } from '../../src-shared/domain/models.js';
import { client } from '../api/client.js';
import type { ConvertView } from './use-converts.js';
import { formatBytes } from './ui-bits.js';

export interface Converts {
  converts: ConvertView[];
  start(path: string, name: string): Promise<void>;
  cancel(importId: string): void;
}

export function ConvertList({ converts, cancel }: Pick<Converts, 'converts' | 'cancel'>) {
  return (
    <Stack gap="xs">
      {converts.map((c) => {
        const p = c.progress;
        const pct = p && p.total > 0 ? (p.done / p.total) * 100 : 0;
        return (
          <div key={c.importId} data-testid="convert-row">
            <Group justify="space-between">
              <Text size="sm" fw={500}>
                {c.file} → {c.name}
              </Text>
              <Text size="xs" c={c.done?.status === 'failed' ? 'red' : 'dimmed'} data-testid="convert-status">
                {c.done
                  ? c.done.status === 'succeeded'
                    ? `Converted: ${c.name} is in the models list`
                    : c.done.status === 'cancelled'
                      ? 'Cancelled'
                      : `Failed: ${c.done.error?.message}`
                  : p?.phase === 'converting'
                    ? `Writing weights ${p.done} / ${p.total}`
                    : 'Reading the file (hash)...'}
              </Text>
            </Group>
            {!c.done && (
              <Group gap="xs">
                <Progress
                  value={p?.phase === 'converting' ? pct : 0}
                  animated={p?.phase !== 'converting'}
                  style={{ flex: 1 }}
                  aria-label={`Conversion of ${c.file}`}
                />
                <Button size="compact-xs" variant="light" color="red" onClick={() => cancel(c.importId)}>
                  Cancel
                </Button>
              </Group>
            )}
          </div>
        );
      })}
    </Stack>
  );
}

export function CheckpointImportCard({
  converts,
  onInstall,
}: {
  converts: Converts;
  onInstall: (repo: string) => void;
}) {
  const [file, setFile] = useState('');
  const [info, setInfo] = useState<CheckpointInspection | null>(null);
  const [name, setName] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [dragging, setDragging] = useState(false);

  const inspect = (path: string) => {
    setInfo(null);
    setError(null);
    client.invoke('models.inspectCheckpoint', { path }).then(
      (r) => {
        setInfo(r);
        setName(r.name);
      },
      (err: Error) => setError(err.message),
    );
  };
  const onDrop = (e: React.DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const dropped = e.dataTransfer.files[0];
    if (!dropped) return;
    const where = client.pathForFile(dropped);
    if (!where) {
      setError(
        `The browser does not say where ${dropped.name} is: type its path above, or put it in the models folder's checkpoints/ folder and convert it from the list below.`,
      );
      return;
    }
    setFile(where);
    inspect(where);
  };
  const convert = () =>
    converts.start(file, name).then(
      () => {
        setInfo(null);
        setFile('');
      },
      (err: Error) => setError(err.message),
    );

  return (
    <Card
      withBorder
      data-testid="checkpoint-import"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={() => setDragging(false)}
      onDrop={onDrop}
      style={dragging ? { outline: '2px dashed var(--mantine-color-blue-5)' } : undefined}
    >
      <Title order={4} mb="xs">
        Import a checkpoint (.safetensors)
      </Title>
      <Text size="sm" c="dimmed" mb="xs">
        A single-file SD 1.x or SD 2.x checkpoint as CivitAI and A1111 share them, or a diffusers folder of safetensors.
        Drop it here or give its path: it becomes a model of its own, with the graphs of an installed model of the same
        family and every weight from the file. No Python, nothing else to install.
      </Text>
      <Group align="end">
        <TextInput
          label="Checkpoint file or folder (absolute path)"
          value={file}
          onChange={(e) => setFile(e.currentTarget.value)}
          style={{ flex: 1 }}
          data-testid="checkpoint-path"
        />
        <Button variant="light" disabled={!file} onClick={() => inspect(file)} data-testid="checkpoint-inspect">
          Check
        </Button>
      </Group>
      {error && (
        <Alert color="red" mt="sm" data-testid="checkpoint-error">
          {error}
        </Alert>
      )}
      {info && (
        <Stack mt="sm" gap="xs" data-testid="checkpoint-info">
          <Text size="sm">
            <b>{info.file}</b>: {info.familyLabel} checkpoint{info.sizeBytes ? `, ${formatBytes(info.sizeBytes)}` : ''}
            {info.template ? ` · graphs from ${info.template}` : ''}
          </Text>
          {info.problem ? (
            <Alert color="yellow">
              <Text size="sm">{info.problem}</Text>
              {info.suggestedRepo && (
                <Button mt="xs" size="xs" onClick={() => onInstall(info.suggestedRepo!)} data-testid="install-template">
                  Install {info.suggestedRepo}
                </Button>
              )}
            </Alert>
          ) : (
            <Group align="end">
              <TextInput
                label="Model name"
                value={name}
                onChange={(e) => setName(e.currentTarget.value)}
                data-testid="checkpoint-name"
              />
              <Button disabled={!name} onClick={() => void convert()} data-testid="checkpoint-convert">
                Convert
              </Button>
            </Group>
          )}
        </Stack>
      )}
      <ConvertList converts={converts.converts} cancel={converts.cancel} />
    </Card>
  );
}
