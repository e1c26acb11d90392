/**
 * The sampler: a family (diffusers' schedulers, or AUTOMATIC1111's or
 * ComfyUI's own samplers reproduced exactly), the sampler in that tool's
 * names, and for the exact families the tool's schedule (and A1111's ENSD).
 * One id comes out (src-shared/domain/samplers.ts); the form keeps just that.
 */
import { Group, NumberInput, SegmentedControl, Select, Stack, Text } from '@mantine/core';
import {
  A1111_EXACT_SAMPLERS,
  A1111_SCHEDULES,
  COMFY_EXACT_SAMPLERS,
  COMFY_SCHEDULERS,
  parseExactSampler,
} from '../../src-shared/domain/exact-samplers.js';
import {
  SAMPLERS,
  type SamplerFamily,
  type SamplerName,
  samplerFamily,
  switchSamplerFamily,
  withExactPart,
} from '../../src-shared/domain/samplers.js';

const FAMILIES: { value: SamplerFamily; label: string }[] = [
  { value: 'diffusers', label: 'diffusers' },
  { value: 'a1111', label: 'A1111 exact' },
  { value: 'comfyui', label: 'ComfyUI exact' },
];

const HINT: Record<SamplerFamily, string> = {
  diffusers: "diffusers' schedulers, as InvokeAI and the ONNX tools run them",
  a1111: 'Same seed, same picture as AUTOMATIC1111 (its samplers, schedules and noise)',
  comfyui: 'Same seed, same picture as ComfyUI on the CPU (ancestral noise on a GPU differs)',
};

export function SamplerPicker({ value, onChange }: { value: SamplerName; onChange: (v: SamplerName) => void }) {
  const family = samplerFamily(value);
  const exact = parseExactSampler(value);
  const samplerData =
    family === 'diffusers'
      ? SAMPLERS.map((s) => ({ value: s.name, label: s.label }))
      : (family === 'a1111' ? A1111_EXACT_SAMPLERS : COMFY_EXACT_SAMPLERS).map((s) => ({
          value: s.key,
          label: s.toolName,
        }));
  const fixed =
    exact?.tool === 'a1111' && A1111_EXACT_SAMPLERS.some((r) => r.key === exact.sampler && 'fixedSchedule' in r);
  const scheduleData =
    exact?.tool === 'a1111'
      ? (fixed ? A1111_SCHEDULES.slice(0, 1) : A1111_SCHEDULES).map((s) => ({ value: s.key, label: s.toolName }))
      : COMFY_SCHEDULERS.map((s) => ({ value: s, label: s }));
  return (
    <Stack gap={4} style={{ flex: 2, minWidth: 0 }}>
      <SegmentedControl
        size="xs"
        data={FAMILIES}
        value={family}
        onChange={(f) => onChange(switchSamplerFamily(value, f as SamplerFamily))}
        data-testid="sampler-family"
      />
      <Text size="xs" c="dimmed">
        {HINT[family]}
      </Text>
      <Group wrap="nowrap" align="start" gap="xs">
        <Select
          style={{ flex: 1, minWidth: 0 }}
          comboboxProps={{ width: 'max-content', position: 'bottom-start' }}
          label="Sampler"
          data={samplerData}
          value={exact ? exact.sampler : value}
          onChange={(v) => v && onChange(exact ? withExactPart(value, { sampler: v }) : (v as SamplerName))}
          allowDeselect={false}
          data-testid="sampler-select"
        />
        {exact && (
          <Select
            style={{ flex: 1, minWidth: 0 }}
            comboboxProps={{ width: 'max-content', position: 'bottom-start' }}
            label={exact.tool === 'a1111' ? 'Schedule type' : 'Scheduler'}
            data={scheduleData}
            value={exact.schedule}
            onChange={(v) => v && onChange(withExactPart(value, { schedule: v }))}
            allowDeselect={false}
            data-testid="schedule-select"
          />
        )}
        {exact?.tool === 'a1111' && (
          <NumberInput
            style={{ width: 84 }}
            label="ENSD"
            title="Eta noise seed delta: A1111 draws the sampler's noise from seed + ENSD (31337 is the usual non-zero value)"
            min={0}
            max={2 ** 31 - 1}
            allowDecimal={false}
            value={exact.ensd}
            onChange={(v) => onChange(withExactPart(value, { ensd: Number(v) || 0 }))}
            data-testid="ensd"
          />
        )}
      </Group>
    </Stack>
  );
}
