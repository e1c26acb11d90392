import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, TINY_SD } from '../../test-support/fixtures.js';
import { runRandnCases } from './randn-cases.js';
import { runSchedulerCases } from './scheduler-cases.js';
import { runKdiffusionCases } from './kdiffusion-cases.js';
import { runTokenizerCases } from './tokenizer-cases.js';
import type { CaseResult } from './conformance-result.js';

const failures = (results: CaseResult[]) => results.filter((r) => !r.ok).map((r) => `${r.name}: ${r.detail}`);

describe('conformance with the reference fixtures', () => {
  it('tokenizer: every case exact', () => {
    const results = runTokenizerCases(FIXTURES_DIR, path.join(TINY_SD, 'tokenizer'));
    expect(failures(results)).toEqual([]);
    expect(results.length).toBeGreaterThan(100);
  });
  it('torch.randn: every draw of every CPU and CUDA case', () => {
    const results = runRandnCases(FIXTURES_DIR);
    expect(failures(results)).toEqual([]);
    expect(results.some((r) => r.name.includes('cuda'))).toBe(true);
  });
  it('schedulers: timesteps and full trajectories of every sampler', () => {
    const results = runSchedulerCases(FIXTURES_DIR);
    expect(failures(results)).toEqual([]);
    expect(results.length).toBe(42);
  });
  it('kdiffusion: A1111 and ComfyUI sigma tables, schedules and every sampler case', () => {
    const results = runKdiffusionCases(FIXTURES_DIR);
    expect(failures(results)).toEqual([]);
    expect(results.length).toBe(2 + 60 + 432);
  });
});

describe('SDXL conformance on tiny-sdxl (onnxruntime CPU)', () => {
  it('every sdxl-refs case within 2/255 of diffusers', async () => {
    const { runSdxlCases } = await import('./sdxl-cases.js');
    const results = await runSdxlCases(FIXTURES_DIR);
    expect(failures(results)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(2);
  }, 120_000);
});

describe('pipeline conformance on tiny-sd (onnxruntime CPU)', () => {
  it('every pipeline reference image within 2/255 max and 0.5 mean', async () => {
    const { runPipelineCases } = await import('./pipeline-cases.js');
    const results = await runPipelineCases(FIXTURES_DIR);
    expect(failures(results)).toEqual([]);
    expect(results.length).toBeGreaterThanOrEqual(5);
  }, 300_000);
});
