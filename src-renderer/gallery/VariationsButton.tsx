/** The gallery detail's "Variations": a few pictures around this one (see variations.ts). */
import { Button, Group, NumberInput, Popover, Slider, Stack, Text } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { client } from '../api/client.js';
import { variationRequests } from './variations.js';

export function VariationsButton({ id }: { id: number }) {
  const [strength, setStrength] = useState(0.3);
  const [count, setCount] = useState(4);
  const [opened, setOpened] = useState(false);
  const make = async () => {
    setOpened(false);
    try {
      const { params } = await client.invoke('gallery.remix', { id });
      const requests = variationRequests(params, id, { strength, count });
      if (typeof requests === 'string') {
        notifications.show({ color: 'yellow', message: requests });
        return;
      }
      for (const r of requests) await client.invoke('engine.generate', r);
      notifications.show({ message: `${requests.length} variations queued; they appear as this picture's children.` });
    } catch (err) {
      notifications.show({ color: 'red', title: 'Could not queue the variations', message: (err as Error).message });
    }
  };
  return (
    <Popover opened={opened} onChange={setOpened} width={260} position="bottom-start" withArrow>
      <Popover.Target>
        <Button size="xs" variant="light" onClick={() => setOpened((o) => !o)} data-testid="variations-button">
          Variations
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Text size="xs">Same seed and settings, each with its own variation seed.</Text>
          <Text size="sm">Strength {strength.toFixed(2)}</Text>
          <Slider
            min={0.05}
            max={1}
            step={0.05}
            value={strength}
            onChange={setStrength}
            data-testid="variation-strength"
          />
          <Group align="end">
            <NumberInput
              label="How many"
              min={1}
              max={8}
              allowDecimal={false}
              value={count}
              onChange={(v) => setCount(Math.min(8, Math.max(1, Number(v) || 1)))}
              w={100}
              data-testid="variation-count"
            />
            <Button size="xs" onClick={() => void make()} data-testid="make-variations">
              Make them
            </Button>
          </Group>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
