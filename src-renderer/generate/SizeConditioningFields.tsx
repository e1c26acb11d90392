/**
 * SDXL's size conditioning (the original size and crop the model is told,
 * as A1111's and ComfyUI's SDXL nodes expose them): empty fields are
 * diffusers' defaults, the picture's own size and crop 0,0. Shown for SDXL
 * models only; other families have no such input.
 */
import { Group, NumberInput, Text } from '@mantine/core';
import type { SizeConditioning } from '../../src-shared/domain/generation.js';

const FIELDS: { key: keyof SizeConditioning; label: string; testId: string }[] = [
  { key: 'originalWidth', label: 'Original width', testId: 'original-width' },
  { key: 'originalHeight', label: 'Original height', testId: 'original-height' },
  { key: 'cropTop', label: 'Crop top', testId: 'crop-top' },
  { key: 'cropLeft', label: 'Crop left', testId: 'crop-left' },
];

export function SizeConditioningFields({
  value,
  width,
  height,
  onChange,
}: {
  value: SizeConditioning;
  width: number;
  height: number;
  onChange: (v: SizeConditioning) => void;
}) {
  const placeholder = { originalWidth: String(width), originalHeight: String(height), cropTop: '0', cropLeft: '0' };
  return (
    <div data-testid="size-conditioning">
      <Text size="sm" fw={500}>
        SDXL size conditioning
      </Text>
      <Text size="xs" c="dimmed">
        What the model is told about the source picture; empty = this picture's size, no crop
      </Text>
      <Group grow wrap="nowrap" gap="xs">
        {FIELDS.map(({ key, label, testId }) => (
          <NumberInput
            key={key}
            label={label}
            min={0}
            max={16384}
            allowDecimal={false}
            allowNegative={false}
            placeholder={placeholder[key]}
            value={value[key] ?? ''}
            onChange={(v) => onChange({ ...value, [key]: v === '' || v === null ? null : Number(v) })}
            data-testid={testId}
          />
        ))}
      </Group>
    </div>
  );
}
