import { describe, expect, it } from 'vitest';
import { samplerMatch } from './sampler-match.js';
import { samplerFamily, samplerLabel, switchSamplerFamily, withExactPart, zSamplerName } from './samplers.js';

describe('sampler names across the two families', () => {
  it('switching family keeps the algorithm and schedule where the other family has it', () => {
    expect(switchSamplerFamily('dpmpp_2m_karras', 'a1111')).toBe('a1111:dpmpp_2m:karras');
    expect(switchSamplerFamily('dpmpp_2m_karras', 'comfyui')).toBe('comfyui:dpmpp_2m:karras');
    expect(switchSamplerFamily('a1111:dpmpp_2m:karras', 'diffusers')).toBe('dpmpp_2m_karras');
    expect(switchSamplerFamily('comfyui:euler_ancestral:normal', 'a1111')).toBe('a1111:euler_a:automatic');
    expect(switchSamplerFamily('ddim', 'a1111')).toBe('a1111:ddim:automatic');
    // No counterpart: that family's Euler a.
    expect(switchSamplerFamily('lcm', 'a1111')).toBe('a1111:euler_a:automatic');
    expect(switchSamplerFamily('comfyui:uni_pc:beta', 'diffusers')).toBe('euler_a');
    expect(samplerFamily('a1111:dpm_fast:automatic:ensd=31337')).toBe('a1111');
  });
  it('changing one part of an exact id keeps it valid', () => {
    expect(withExactPart('a1111:euler_a:karras', { sampler: 'ddim' })).toBe('a1111:ddim:automatic');
    expect(withExactPart('a1111:euler_a:karras', { ensd: 31337 })).toBe('a1111:euler_a:karras:ensd=31337');
    expect(withExactPart('a1111:euler_a:karras:ensd=31337', { ensd: 0 })).toBe('a1111:euler_a:karras');
    expect(withExactPart('comfyui:lms:normal', { schedule: 'beta' })).toBe('comfyui:lms:beta');
    expect(withExactPart('comfyui:lms:normal', { schedule: 'nonsense' })).toBe('comfyui:lms:normal');
  });
  it('the schema takes both families and refuses anything else', () => {
    expect(zSamplerName.parse('euler_a')).toBe('euler_a');
    expect(zSamplerName.parse('comfyui:heun:sgm_uniform')).toBe('comfyui:heun:sgm_uniform');
    for (const bad of ['Euler a', 'a1111:euler_a', 'comfyui:dpmpp_sde:karras', 'x'.repeat(200)])
      expect(zSamplerName.safeParse(bad).success).toBe(false);
    expect(samplerLabel('a1111:dpmpp_2m:karras')).toBe('DPM++ 2M Karras (A1111)');
  });
  it('says whether an imported picture reproduces, and why not', () => {
    expect(samplerMatch('latent-studio', 'euler_a', 'euler_a', 'cpu')).toBeNull();
    expect(samplerMatch('a1111', 'a1111:euler_a:automatic', 'Euler a', 'gpu')).toMatchObject({ exact: true });
    expect(samplerMatch('comfyui', 'comfyui:euler_ancestral:normal', 'euler_ancestral normal', 'cpu')?.text).toMatch(
      /NVIDIA GPU/,
    );
    expect(samplerMatch('a1111', 'dpmpp_2m_sde_karras', 'DPM++ 2M SDE', 'gpu')).toMatchObject({
      exact: false,
      text: expect.stringMatching(/Brownian/),
    });
    expect(samplerMatch('comfyui', null, 'res_multistep', 'cpu')).toMatchObject({ exact: false });
  });
});
