/**
 * X/Y/Z plot, as A1111's script has it: up to three axes over the form's
 * settings (values as lists or ranges: `1-5`, `5-20 (+5)`, `4-8 [3]`; `sr`
 * replaces the first value's text in the prompts by each value). Every cell
 * is queued as a job; the labelled grid goes into the gallery with the cells
 * as its children.
 */
import { Button, Collapse, Group, Progress, Select, Stack, Switch, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { AXIS_NAMES, AxisError, parseAxis } from '../../src-shared/domain/plot-axes.js';
import { client } from '../api/client.js';

export interface PlotAxes {
  x: string;
  y?: string;
  z?: string;
}

const AXES = ['x', 'y', 'z'] as const;
const EXAMPLES: Record<string, string> = {
  seed: '1-4',
  sampler: 'euler_a, ddim',
  steps: '10-30 (+10)',
  cfg: '4, 7, 10',
  size: '512x512, 512x768',
  strength: '0.3-0.9 [3]',
  sr: 'red, blue, green',
  'variation-strength': '0, 0.25, 0.5',
  model: 'studio-shapes, my-model',
  'lora-weight': '0, 0.5, 1',
};

interface AxisDraft {
  name: string;
  values: string;
}

export function PlotPanel({
  onStart,
  disabled,
}: {
  onStart: (axes: PlotAxes) => Promise<{ plotId: string; cells: number } | null>;
  disabled: boolean;
}) {
  const [on, setOn] = useState(false);
  const [axes, setAxes] = useState<AxisDraft[]>([
    { name: 'cfg', values: '' },
    { name: '', values: '' },
    { name: '', values: '' },
  ]);
  const [run, setRun] = useState<{ plotId: string; done: number; total: number } | null>(null);

  useEffect(() => {
    const offP = client.on('plot.progress', (p) =>
      setRun((r) => (r?.plotId === p.plotId ? { ...r, done: p.done, total: p.total } : r)),
    );
    const offD = client.on('plot.done', (d) =>
      setRun((r) => {
        if (r?.plotId !== d.plotId) return r;
        if (d.status === 'succeeded')
          notifications.show({
            color: 'green',
            message: `Plot done: the grid is gallery item ${d.gridId}, the cells its children`,
          });
        else if (d.status === 'failed')
          notifications.show({ color: 'red', title: 'Plot failed', message: d.error?.message ?? '' });
        return null;
      }),
    );
    return () => {
      offP();
      offD();
    };
  }, []);

  const specs = axes.map((a) => (a.name && a.values.trim() ? `${a.name}=${a.values}` : ''));
  let problem: string | null = null;
  let cells = 1;
  for (const spec of specs) {
    if (!spec) continue;
    try {
      cells *= parseAxis(spec).values.length;
    } catch (err) {
      problem = err instanceof AxisError ? err.message : String(err);
    }
  }
  if (!specs[0]) problem = 'Give the X axis its values';
  else if (cells > 64) problem = `${cells} cells: at most 64`;

  const start = () =>
    onStart({ x: specs[0]!, ...(specs[1] ? { y: specs[1] } : {}), ...(specs[2] ? { z: specs[2] } : {}) }).then(
      (r) => r && setRun({ plotId: r.plotId, done: 0, total: r.cells }),
      (err: Error) => notifications.show({ color: 'red', title: 'Cannot start the plot', message: err.message }),
    );

  return (
    <div data-testid="plot">
      <Switch
        label="X/Y/Z plot"
        checked={on}
        onChange={(e) => setOn(e.currentTarget.checked)}
        data-testid="plot-switch"
      />
      <Collapse expanded={on}>
        <Stack gap="xs" mt="xs">
          {AXES.map((axis, i) => (
            <Group key={axis} grow wrap="nowrap" align="end">
              <Select
                label={`${axis.toUpperCase()} axis`}
                placeholder="none"
                clearable={i > 0}
                value={axes[i]!.name || null}
                data={AXIS_NAMES.map((n) => ({ value: n, label: n === 'sr' ? 'prompt S/R' : n }))}
                onChange={(v) => setAxes((list) => list.map((a, k) => (k === i ? { ...a, name: v ?? '' } : a)))}
                data-testid={`plot-${axis}-name`}
              />
              <TextInput
                label="Values"
                placeholder={EXAMPLES[axes[i]!.name] ?? ''}
                value={axes[i]!.values}
                disabled={!axes[i]!.name}
                onChange={(e) => {
                  const values = e.currentTarget.value;
                  setAxes((list) => list.map((a, k) => (k === i ? { ...a, values } : a)));
                }}
                data-testid={`plot-${axis}-values`}
              />
            </Group>
          ))}
          <Group justify="space-between">
            <Text size="xs" c={problem ? 'red' : 'dimmed'}>
              {problem ?? `${cells} cells, one job each; the grid and its cells go into the gallery`}
            </Text>
            <Button
              size="xs"
              disabled={disabled || !!problem || run !== null}
              onClick={() => void start()}
              data-testid="plot-start"
            >
              Generate plot
            </Button>
          </Group>
          {run && (
            <Group gap="xs">
              <Progress
                value={run.total ? (run.done / run.total) * 100 : 0}
                style={{ flex: 1 }}
                aria-label="Plot progress"
              />
              <Text size="xs">
                {run.done}/{run.total}
              </Text>
              <Button
                size="compact-xs"
                variant="light"
                color="red"
                onClick={() => void client.invoke('plot.cancel', { plotId: run.plotId })}
              >
                Cancel
              </Button>
            </Group>
          )}
        </Stack>
      </Collapse>
    </div>
  );
}
