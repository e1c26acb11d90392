/**
 * The staging area's controls: the results of the canvas's generations wait
 * over their box until one is accepted into the picture (an undo step) or
 * all are discarded.
 */
import { Button, Group, Paper, Switch, Text } from '@mantine/core';
import type { Staging } from '../generate/draft.js';
import { TipIcon } from '../TipIcon.js';
import { stagedAccepted, stagedShown, stagingDiscarded } from './canvas-store.js';

export function StagingBar({
  staging,
  showAfter,
  onShowAfter,
}: {
  staging: Staging;
  showAfter: boolean;
  onShowAfter: (shown: boolean) => void;
}) {
  const n = staging.images.length;
  const shown = staging.images[staging.index];
  return (
    <Paper withBorder p={6} data-testid="staging-bar">
      <Group gap="xs" justify="space-between">
        <Group gap={4}>
          <TipIcon
            tip="Previous result"
            label="Previous result"
            disabled={n < 2}
            onClick={() => stagedShown(staging.index - 1)}
            testId="staging-prev"
          >
            ‹
          </TipIcon>
          <Text size="sm" data-testid="staging-count">
            Result {staging.index + 1}/{n}
          </Text>
          <TipIcon
            tip="Next result"
            label="Next result"
            disabled={n < 2}
            onClick={() => stagedShown(staging.index + 1)}
            testId="staging-next"
          >
            ›
          </TipIcon>
          {shown && (
            <Text size="xs" c="dimmed">
              seed {shown.seed}
            </Text>
          )}
        </Group>
        <Group gap="xs">
          <Switch
            size="xs"
            label="After"
            checked={showAfter}
            onChange={(e) => onShowAfter(e.currentTarget.checked)}
            data-testid="before-after"
          />
          <Button size="xs" onClick={() => void stagedAccepted()} data-testid="staging-accept">
            Accept
          </Button>
          <Button size="xs" variant="default" onClick={stagingDiscarded} data-testid="staging-discard">
            Discard all
          </Button>
        </Group>
      </Group>
    </Paper>
  );
}
