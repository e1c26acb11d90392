/** Small pieces the Models page's cards share. */
import { Button, Group, Modal, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/** A size in MiB, or GiB from 1 GiB up. */
export const formatBytes = (n: number) =>
  n >= 2 ** 30 ? `${(n / 2 ** 30).toFixed(2)} GiB` : `${(n / 2 ** 20).toFixed(1)} MiB`;

/** "Remove X?" with Keep and a red confirming button. */
export function ConfirmModal(props: {
  opened: boolean;
  title: string;
  children: ReactNode;
  confirmLabel: string;
  testId: string;
  onConfirm: () => void;
  onClose: () => void;
}) {
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title}>
      <Text size="sm">{props.children}</Text>
      <Group justify="end" mt="md">
        <Button variant="default" onClick={props.onClose}>
          Keep
        </Button>
        <Button color="red" onClick={props.onConfirm} data-testid={props.testId}>
          {props.confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
