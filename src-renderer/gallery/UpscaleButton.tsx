/**
 * The gallery detail's "Upscale": this picture through an upscaler of the
 * models folder (or Lanczos) at a chosen scale, with progress and cancel;
 * the result is a new item, a child of this one.
 */
import { Button, Group, NumberInput, Popover, Progress, Select, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useEffect, useState } from 'react';
import { client } from '../api/client.js';
import { useCall } from '../api/use-call.js';

export function UpscaleButton({ id }: { id: number }) {
  const networks = useCall('models.networks', {});
  const [opened, setOpened] = useState(false);
  const [upscaler, setUpscaler] = useState('lanczos');
  const [scale, setScale] = useState(2);
  const [task, setTask] = useState<{ taskId: string; done: number; total: number } | null>(null);

  useEffect(() => {
    const offP = client.on('gallery.upscaleProgress', (p) =>
      setTask((t) => (t?.taskId === p.taskId ? { ...t, done: p.done, total: p.total } : t)),
    );
    const offD = client.on('gallery.upscaleDone', (d) => {
      setTask((t) => {
        if (t?.taskId !== d.taskId) return t;
        if (d.status === 'succeeded')
          notifications.show({ message: `Upscaled: item ${d.newId}, a child of this picture`, color: 'green' });
        else if (d.status === 'failed')
          notifications.show({ color: 'red', title: 'Upscale failed', message: d.error?.message ?? '' });
        return null;
      });
    });
    return () => {
      offP();
      offD();
    };
  }, []);

  const start = () =>
    client.invoke('gallery.upscale', { id, upscaler, scale }).then(
      ({ taskId }) => setTask({ taskId, done: 0, total: 0 }),
      (err: Error) => notifications.show({ color: 'red', title: 'Cannot upscale', message: err.message }),
    );
  const upscalers = networks.data?.upscalers ?? [];
  return (
    <Popover opened={opened} onChange={setOpened} width={280} position="bottom-start" withArrow>
      <Popover.Target>
        <Button size="xs" variant="light" onClick={() => setOpened((o) => !o)} data-testid="upscale-button">
          Upscale
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Select
            label="Upscaler"
            value={upscaler}
            onChange={(v) => v && setUpscaler(v)}
            onDropdownOpen={networks.reload}
            data={[{ value: 'lanczos', label: 'Lanczos' }, ...upscalers.map((u) => ({ value: u.name, label: u.name }))]}
            allowDeselect={false}
            comboboxProps={{ withinPortal: false }}
            data-testid="upscaler-select"
          />
          <Group align="end">
            <NumberInput
              label="Scale"
              min={1}
              max={8}
              step={0.5}
              value={scale}
              onChange={(v) => setScale(Math.min(8, Math.max(1, Number(v) || 2)))}
              w={100}
              data-testid="upscale-scale"
            />
            <Button size="xs" onClick={() => void start()} disabled={task !== null} data-testid="upscale-start">
              Upscale
            </Button>
          </Group>
          {task && (
            <Group gap="xs">
              <Progress
                value={task.total ? (task.done / task.total) * 100 : 0}
                animated={!task.total}
                style={{ flex: 1 }}
                aria-label="Upscale progress"
              />
              <Button
                size="compact-xs"
                variant="light"
                color="red"
                onClick={() => void client.invoke('gallery.cancelUpscale', { taskId: task.taskId })}
              >
                Cancel
              </Button>
            </Group>
          )}
          <Text size="xs" c="dimmed">
            Upscalers come from the models folder's upscalers/ (ONNX, ESRGAN family).
          </Text>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
