import { ActionIcon, Tooltip } from '@mantine/core';
import type { ReactNode } from 'react';

/** A small icon button with its tooltip; the label doubles as the accessible name unless one is given. */
export function TipIcon(props: {
  tip: string;
  label?: string;
  testId: string;
  onClick: () => void;
  disabled?: boolean;
  variant?: 'default' | 'subtle';
  children: ReactNode;
}) {
  return (
    <Tooltip label={props.tip}>
      <ActionIcon
        variant={props.variant ?? 'default'}
        aria-label={props.label ?? props.tip}
        disabled={props.disabled}
        onClick={props.onClick}
        data-testid={props.testId}
      >
        {props.children}
      </ActionIcon>
    </Tooltip>
  );
}
