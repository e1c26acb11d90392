/**
 * Hires fix, as A1111's txt2img has it: generate at the set size, upscale,
 * then a second img2img pass at the large size. Off at scale 1.
 */
import { Collapse, Group, NumberInput, Select, Switch } from '@mantine/core';
import { useCall } from '../api/use-call.js';
import type { HiresDraft } from './draft.js';

export function HiresFields({
  value,
  width,
  height,
  onChange,
}: {
  value: HiresDraft;
  width: number;
  height: number;
  onChange: (v: HiresDraft) => void;
}) {
  const on = value.scale > 1;
  const networks = useCall('models.networks', {});
  return (
    <div data-testid="hires">
      <Switch
        label={on ? `Hires fix: ${Math.round(width * value.scale)}x${Math.round(height * value.scale)}` : 'Hires fix'}
        checked={on}
        onChange={(e) => onChange({ ...value, scale: e.currentTarget.checked ? 2 : 1 })}
        data-testid="hires-switch"
      />
      <Collapse expanded={on}>
        <Group grow wrap="nowrap" align="start" mt="xs">
          <NumberInput
            label="Upscale by"
            min={1.05}
            max={4}
            step={0.25}
            decimalScale={2}
            value={value.scale}
            onChange={(v) => onChange({ ...value, scale: Math.min(4, Math.max(1, Number(v) || 1)) })}
            data-testid="hires-scale"
          />
          <NumberInput
            label="Hires steps"
            placeholder="same"
            min={1}
            max={200}
            allowDecimal={false}
            value={value.steps ?? ''}
            onChange={(v) => onChange({ ...value, steps: v === '' || v === null ? null : Number(v) })}
            data-testid="hires-steps"
          />
          <NumberInput
            label="Denoising"
            min={0}
            max={1}
            step={0.05}
            decimalScale={2}
            value={value.denoise}
            onChange={(v) => onChange({ ...value, denoise: Math.min(1, Math.max(0, Number(v) || 0)) })}
            data-testid="hires-denoise"
          />
          <Select
            label="Upscaler"
            data={[
              { value: 'latent', label: 'Latent' },
              { value: 'lanczos', label: 'Lanczos' },
              ...(networks.data?.upscalers ?? []).map((u) => ({ value: u.name, label: u.name })),
              // A remixed record may name an upscaler this models folder lacks: shown so it can be changed.
              ...(['latent', 'lanczos'].includes(value.upscaler) ||
              (networks.data?.upscalers ?? []).some((u) => u.name === value.upscaler)
                ? []
                : [{ value: value.upscaler, label: `${value.upscaler} (missing)` }]),
            ]}
            value={value.upscaler}
            allowDeselect={false}
            onDropdownOpen={networks.reload}
            onChange={(v) => v && onChange({ ...value, upscaler: v })}
            data-testid="hires-upscaler"
          />
        </Group>
      </Collapse>
    </div>
  );
}
