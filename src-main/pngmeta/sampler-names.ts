/**
 * Our sampler names <-> AUTOMATIC1111's "Sampler" + "Schedule type" pair.
 */
import type { SamplerName } from '../../src-shared/domain/engine.js';

const TO_A1111: Record<SamplerName, { sampler: string; schedule: 'Automatic' | 'Karras' }> = {
  euler_a: { sampler: 'Euler a', schedule: 'Automatic' },
  euler: { sampler: 'Euler', schedule: 'Automatic' },
  euler_karras: { sampler: 'Euler', schedule: 'Karras' },
  lms: { sampler: 'LMS', schedule: 'Automatic' },
  lms_karras: { sampler: 'LMS', schedule: 'Karras' },
  heun: { sampler: 'Heun', schedule: 'Automatic' },
  dpm2: { sampler: 'DPM2', schedule: 'Automatic' },
  dpm2_a: { sampler: 'DPM2 a', schedule: 'Automatic' },
  dpmpp_2m: { sampler: 'DPM++ 2M', schedule: 'Automatic' },
  dpmpp_2m_karras: { sampler: 'DPM++ 2M', schedule: 'Karras' },
  dpmpp_2m_sde_karras: { sampler: 'DPM++ 2M SDE', schedule: 'Karras' },
  ddim: { sampler: 'DDIM', schedule: 'Automatic' },
  pndm: { sampler: 'PLMS', schedule: 'Automatic' },
  unipc: { sampler: 'UniPC', schedule: 'Automatic' },
  lcm: { sampler: 'LCM', schedule: 'Automatic' },
};

export function toA1111Sampler(name: SamplerName): { sampler: string; schedule: string } {
  return TO_A1111[name];
}

/**
 * A1111 sampler (+ schedule type) -> ours. Old infotexts put the schedule in
 * the sampler name ("DPM++ 2M Karras"); both forms are understood.
 */
export function fromA1111Sampler(sampler: string, schedule?: string): SamplerName | null {
  let s = sampler.trim();
  let karras = schedule?.trim().toLowerCase() === 'karras';
  if (/\sKarras$/i.test(s)) {
    karras = true;
    s = s.replace(/\sKarras$/i, '');
  }
  for (const [ours, theirs] of Object.entries(TO_A1111) as [SamplerName, (typeof TO_A1111)[SamplerName]][]) {
    if (theirs.sampler.toLowerCase() === s.toLowerCase() && (theirs.schedule === 'Karras') === karras) return ours;
  }
  // A sampler we know with a schedule we do not: keep the sampler.
  const plain = (Object.entries(TO_A1111) as [SamplerName, (typeof TO_A1111)[SamplerName]][]).find(
    ([, t]) => t.sampler.toLowerCase() === s.toLowerCase() && t.schedule === 'Automatic',
  );
  return plain ? plain[0] : null;
}
