import { ActionIcon, Group, Paper, Stack, Text, Tooltip } from '@mantine/core';
import type { QueuedJob } from '../../src-shared/domain/engine.js';

/** Jobs waiting behind the running one: reorder or remove them. */
export function QueuePanel(props: {
  pending: QueuedJob[];
  onMove: (jobId: string, index: number) => void;
  onRemove: (jobId: string) => void;
  /** Jobs from other windows share the queue: they are labelled as such. */
  isMine: (jobId: string) => boolean;
}) {
  const { pending, onMove, onRemove } = props;
  if (pending.length === 0) return null;
  return (
    <Paper withBorder p="xs" data-testid="queue-panel">
      <Text size="sm" fw={500} mb={4}>
        Queue ({pending.length} waiting)
      </Text>
      <Stack gap={4}>
        {pending.map((j, i) => (
          <Group key={j.jobId} gap="xs" wrap="nowrap" data-testid="queue-item">
            <Text size="xs" c="dimmed" w={18}>
              {i + 1}
            </Text>
            <Text
              size="sm"
              style={{ flex: 1, overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' }}
              title={j.prompt}
            >
              {j.prompt || '(empty prompt)'}
            </Text>
            {!props.isMine(j.jobId) && (
              <Text size="xs" c="dimmed" data-testid="queue-item-other">
                other window
              </Text>
            )}
            <Text size="xs" c="dimmed">
              {j.mode} · {j.width}x{j.height} · {j.steps} steps{j.batchCount > 1 ? ` · x${j.batchCount}` : ''}
            </Text>
            <Tooltip label="Move up">
              <ActionIcon
                size="sm"
                variant="subtle"
                aria-label="Move up"
                disabled={i === 0}
                onClick={() => onMove(j.jobId, i - 1)}
              >
                ↑
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Move down">
              <ActionIcon
                size="sm"
                variant="subtle"
                aria-label="Move down"
                disabled={i === pending.length - 1}
                onClick={() => onMove(j.jobId, i + 1)}
              >
                ↓
              </ActionIcon>
            </Tooltip>
            <Tooltip label="Remove">
              <ActionIcon
                size="sm"
                variant="subtle"
                color="red"
                aria-label="Remove from queue"
                onClick={() => onRemove(j.jobId)}
              >
                ×
              </ActionIcon>
            </Tooltip>
          </Group>
        ))}
      </Stack>
    </Paper>
  );
}
