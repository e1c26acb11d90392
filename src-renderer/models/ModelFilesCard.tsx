/**
 * The single files of the models folder, a tab per kind (checkpoints to
 * convert, LoRAs, embeddings, VAEs, upscalers): size, the family each fits,
 * A1111's short hash, what is wrong with a file, and delete.
 */
import { Badge, Button, Card, Group, Table, Tabs, Text, Title } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { MODEL_FILE_KINDS, type ModelFile, type ModelFileKind } from '../../src-shared/domain/models.js';
import { client } from '../api/client.js';
import { useCall } from '../api/use-call.js';
import { ConfirmModal, formatBytes } from './ui-bits.js';

const LABEL: Record<ModelFileKind, string> = {
  checkpoints: 'Checkpoints',
  loras: 'LoRAs',
  embeddings: 'Embeddings',
  vae: 'VAEs',
  upscalers: 'Upscalers',
};
const HINT: Record<ModelFileKind, string> = {
  checkpoints: 'Single-file .safetensors checkpoints to convert into models.',
  loras: 'Used in prompts as <lora:NAME:WEIGHT> (kohya / A1111 and PEFT keys, LoCon).',
  embeddings: 'Textual inversion (.safetensors, .pt): applied where their name appears in a prompt.',
  vae: 'Replacement VAEs, chosen per generation on the Generate page.',
  upscalers: 'ONNX upscalers (ESRGAN family, input [1, 3, H, W] in [0, 1]); Lanczos needs none.',
};

export function ModelFilesCard({
  modelsDir,
  onConvert,
}: {
  modelsDir: string | null;
  onConvert: (path: string) => void;
}) {
  const files = useCall('models.files', {});
  const [confirm, setConfirm] = useState<ModelFile | null>(null);
  const remove = (f: ModelFile) =>
    client.invoke('models.deleteFile', { kind: f.kind, file: f.file }).then(
      () => {
        setConfirm(null);
        files.reload();
      },
      (err: Error) => notifications.show({ color: 'red', title: 'Cannot delete', message: err.message }),
    );
  const all = files.data?.files ?? [];
  return (
    <Card withBorder data-testid="model-files">
      <Group justify="space-between" mb="xs">
        <Title order={4}>Files in the models folder</Title>
        <Button size="compact-xs" variant="subtle" onClick={files.reload}>
          Refresh
        </Button>
      </Group>
      <Tabs defaultValue="loras" keepMounted={false}>
        <Tabs.List>
          {MODEL_FILE_KINDS.map((k) => (
            <Tabs.Tab key={k} value={k} data-testid={`files-tab-${k}`}>
              {LABEL[k]} ({all.filter((f) => f.kind === k).length})
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {MODEL_FILE_KINDS.map((k) => {
          const list = all.filter((f) => f.kind === k);
          return (
            <Tabs.Panel key={k} value={k} pt="xs">
              <Text size="xs" c="dimmed" mb="xs">
                {HINT[k]} Folder: {modelsDir ? `${modelsDir}/${k}` : `${k}/`}
              </Text>
              {list.length > 0 && (
                <Table data-testid={`files-${k}`}>
                  <Table.Tbody>
                    {list.map((f) => (
                      <Table.Tr key={f.file} data-testid={`file-row-${f.name}`}>
                        <Table.Td>
                          <Text size="sm" fw={500}>
                            {f.name}
                          </Text>
                        </Table.Td>
                        <Table.Td>{formatBytes(f.sizeBytes)}</Table.Td>
                        <Table.Td>{f.family && <Badge size="sm">{f.family}</Badge>}</Table.Td>
                        <Table.Td>
                          <Text ff="monospace" size="xs">
                            {f.problem ? '' : (f.hash ?? '...')}
                          </Text>
                        </Table.Td>
                        <Table.Td>
                          {f.problem && (
                            <Text c="red" size="xs">
                              {f.problem}
                            </Text>
                          )}
                        </Table.Td>
                        <Table.Td>
                          <Group gap="xs" justify="end" wrap="nowrap">
                            {k === 'checkpoints' && !f.problem && modelsDir && (
                              <Button
                                size="xs"
                                variant="light"
                                onClick={() => onConvert(`${modelsDir}/checkpoints/${f.file}`)}
                              >
                                Convert
                              </Button>
                            )}
                            <Button size="xs" variant="subtle" color="red" onClick={() => setConfirm(f)}>
                              Delete
                            </Button>
                          </Group>
                        </Table.Td>
                      </Table.Tr>
                    ))}
                  </Table.Tbody>
                </Table>
              )}
            </Tabs.Panel>
          );
        })}
      </Tabs>
      <ConfirmModal
        opened={confirm !== null}
        title="Delete file?"
        confirmLabel="Delete"
        testId="confirm-delete-file"
        onConfirm={() => confirm && void remove(confirm)}
        onClose={() => setConfirm(null)}
      >
        Delete <b>{confirm?.file}</b> from the models folder's {confirm?.kind}/ folder?
      </ConfirmModal>
    </Card>
  );
}
