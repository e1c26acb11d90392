/** The brush's size, hardness and the mask's opacity, as sliders. */
import { Group, Slider, Text } from '@mantine/core';

export interface Brush {
  size: number;
  hardness: number;
  opacity: number;
}

const SLIDERS: {
  key: keyof Brush;
  id: string;
  label: (b: Brush) => string;
  min: number;
  max: number;
  step?: number;
  testId?: string;
}[] = [
  {
    key: 'size',
    id: 'brush-size',
    label: (b) => `Brush size ${b.size}px ([ ])`,
    min: 1,
    max: 256,
    testId: 'brush-size',
  },
  {
    key: 'hardness',
    id: 'brush-hardness',
    label: (b) => `Hardness ${Math.round(b.hardness * 100)}%`,
    min: 0,
    max: 1,
    step: 0.05,
  },
  {
    key: 'opacity',
    id: 'mask-opacity',
    label: (b) => `Mask opacity ${Math.round(b.opacity * 100)}%`,
    min: 0.1,
    max: 1,
    step: 0.05,
  },
];

export function BrushSettings({ brush, onBrush }: { brush: Brush; onBrush: (key: keyof Brush, v: number) => void }) {
  return (
    <Group grow>
      {SLIDERS.map((s) => (
        <div key={s.key}>
          <Text size="xs" id={s.id}>
            {s.label(brush)}
          </Text>
          <Slider
            aria-labelledby={s.id}
            min={s.min}
            max={s.max}
            step={s.step}
            value={brush[s.key]}
            onChange={(v) => onBrush(s.key, v)}
            data-testid={s.testId}
          />
        </div>
      ))}
    </Group>
  );
}
