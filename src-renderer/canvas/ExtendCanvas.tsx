/**
 * Outpainting from the Generate page: the source picture extended on any
 * side (presets, or pixels per side); the engine lays the picture on the
 * larger canvas, starts the new area from its edges and makes the mask (0
 * over the original, which comes back exactly), which replaces the painted one.
 */
import { Button, Group, NumberInput, Popover, Stack, Text } from '@mantine/core';
import { useState } from 'react';

export interface Pads {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

const SIDES = ['left', 'top', 'right', 'bottom'] as const;
const PRESETS: { label: string; pads: Pads }[] = [
  { label: '+64 left & right', pads: { left: 64, top: 0, right: 64, bottom: 0 } },
  { label: '+64 every side', pads: { left: 64, top: 64, right: 64, bottom: 64 } },
  { label: '+128 right', pads: { left: 0, top: 0, right: 128, bottom: 0 } },
  { label: '+128 bottom', pads: { left: 0, top: 0, right: 0, bottom: 128 } },
];

export function ExtendCanvas({
  onExtend,
  disabled,
}: {
  onExtend: (pads: Pads) => Promise<unknown>;
  disabled: boolean;
}) {
  const [opened, setOpened] = useState(false);
  const [pads, setPads] = useState<Pads>(PRESETS[0]!.pads);
  const total = pads.left + pads.top + pads.right + pads.bottom;
  const apply = (p: Pads) => {
    setOpened(false);
    void onExtend(p);
  };
  return (
    <Popover opened={opened} onChange={setOpened} width={300} position="bottom-start" withArrow>
      <Popover.Target>
        <Button
          size="xs"
          variant="light"
          disabled={disabled}
          onClick={() => setOpened((o) => !o)}
          data-testid="extend-button"
        >
          Extend (outpaint)
        </Button>
      </Popover.Target>
      <Popover.Dropdown>
        <Stack gap="xs">
          <Group gap={4}>
            {PRESETS.map((p) => (
              <Button key={p.label} size="compact-xs" variant="default" onClick={() => apply(p.pads)}>
                {p.label}
              </Button>
            ))}
          </Group>
          <Group grow>
            {SIDES.map((side) => (
              <NumberInput
                key={side}
                label={side}
                min={0}
                max={1024}
                step={32}
                allowDecimal={false}
                value={pads[side]}
                onChange={(v) =>
                  setPads((p) => ({ ...p, [side]: Math.min(1024, Math.max(0, Math.round(Number(v) || 0))) }))
                }
                data-testid={`extend-${side}`}
              />
            ))}
          </Group>
          <Text size="xs" c="dimmed">
            The new area is generated to continue the picture; the picture itself stays as it is.
          </Text>
          <Button size="xs" disabled={total === 0} onClick={() => apply(pads)} data-testid="extend-apply">
            Extend
          </Button>
        </Stack>
      </Popover.Dropdown>
    </Popover>
  );
}
