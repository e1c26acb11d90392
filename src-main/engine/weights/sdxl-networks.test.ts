/**
 * SDXL's LoRAs and embeddings on the tiny SDXL model: kohya files name the
 * UNet's modules as the original UNet does and the text encoders te1/te2;
 * embeddings carry clip_l and clip_g. Checked on the merged weights
 * themselves: W' = W + weight * alpha / rank * up @ down, and the new token
 * rows equal the file's vectors at the same ids in both encoders.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_SDXL } from '../../test-support/fixtures.js';
import { readInversion } from './inversion.js';
import { indexPart, paramValues, torchDims } from './model-parts.js';
import { prepareModelVariant } from './model-variant.js';
import { writeSafetensors } from './safetensors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-sdxl-networks-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Deterministic small numbers. */
const filled = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37) * 0.05);

function lowRankDelta(up: Float32Array, down: Float32Array, out: number, rank: number, inner: number, scale: number) {
  const d = new Float32Array(out * inner);
  for (let o = 0; o < out; o++)
    for (let r = 0; r < rank; r++)
      for (let i = 0; i < inner; i++) d[o * inner + i]! += scale * up[o * rank + r]! * down[r * inner + i]!;
  return d;
}

describe('SDXL LoRAs and embeddings', () => {
  it("merges a kohya SDXL LoRA: UNet modules by their original (ldm) names, both text encoders' modules", async () => {
    // tiny-sdxl: one resnet per level, attention from the second level on: down_blocks.1.attentions.0 is input_blocks.3.1.
    const targets = [
      {
        key: 'lora_unet_input_blocks_3_1_transformer_blocks_0_attn1_to_q',
        part: 'unet',
        param: 'down_blocks.1.attentions.0.transformer_blocks.0.attn1.to_q.weight',
      },
      { key: 'lora_unet_output_blocks_0_0_in_layers_2', part: 'unet', param: 'up_blocks.0.resnets.0.conv1.weight' },
      { key: 'lora_te1_m_layers_0_q_proj', part: 'text_encoder', param: 'm.layers.0.q_proj.weight' },
      { key: 'lora_te2_m_layers_1_k_proj', part: 'text_encoder_2', param: 'm.layers.1.k_proj.weight' },
    ] as const;
    const rank = 2;
    const alpha = 1;
    const weight = 0.8;
    const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
    const expected: { part: (typeof targets)[number]['part']; param: string; delta: Float32Array }[] = [];
    targets.forEach((t, n) => {
      const dims = torchDims(indexPart(TINY_SDXL, t.part)!.params.get(t.param)!);
      const [out, ...rest] = dims as [number, ...number[]];
      const inner = rest.reduce((a, b) => a * b, 1);
      const up = filled(out * rank, n * 10 + 1);
      const down = filled(rank * inner, n * 10 + 2);
      tensors[`${t.key}.lora_up.weight`] = {
        shape: [out, rank, ...rest.map(() => 1).slice(0, rest.length - 1)],
        data: up,
      };
      tensors[`${t.key}.lora_down.weight`] = { shape: [rank, ...rest], data: down };
      tensors[`${t.key}.alpha`] = { shape: [], data: Float32Array.of(alpha) };
      expected.push({
        part: t.part,
        param: t.param,
        delta: lowRankDelta(up, down, out, rank, inner, (weight * alpha) / rank),
      });
    });
    const file = path.join(tmp, 'sdxl-lora.safetensors');
    writeSafetensors(file, tensors);

    const variant = await prepareModelVariant(
      TINY_SDXL,
      { loras: [{ file, weight }], embeddings: [] },
      path.join(tmp, 'variants'),
    );
    expect(variant.warnings).toEqual([]);
    for (const e of expected) {
      const base = paramValues(indexPart(TINY_SDXL, e.part)!, e.param);
      const merged = paramValues(indexPart(variant.dir, e.part)!, e.param);
      let worst = 0;
      for (let i = 0; i < base.length; i++) worst = Math.max(worst, Math.abs(merged[i]! - (base[i]! + e.delta[i]!)));
      expect(worst, `${e.part} ${e.param}`).toBeLessThan(1e-6);
    }
  });

  it('adds an SDXL embedding to both text encoders at the same ids; refuses a one-encoder embedding', async () => {
    const width = (part: 'text_encoder' | 'text_encoder_2') => {
      const p = indexPart(TINY_SDXL, part)!;
      return p.params.get('m.token_embedding.weight')!.dims as [number, number];
    };
    const [rows1, w1] = width('text_encoder');
    const [rows2, w2] = width('text_encoder_2');
    const file = path.join(tmp, 'sdxl-thing.safetensors');
    writeSafetensors(file, {
      clip_l: { shape: [2, w1], data: filled(2 * w1, 3) },
      clip_g: { shape: [2, w2], data: filled(2 * w2, 4) },
    });
    expect(readInversion(file).second?.hidden).toBe(w2);
    const variant = await prepareModelVariant(TINY_SDXL, { loras: [], embeddings: [file] }, path.join(tmp, 'variants'));
    expect(rows1).toBe(rows2);
    expect(variant.inversions).toEqual([{ name: 'sdxl-thing', ids: [rows1, rows1 + 1] }]);
    // EOS moves past them (a copy of its row), so ArgMax over the ids still finds it for the pooled output.
    expect(variant.eosId).toBe(rows1 + 2);
    for (const [part, w, seed] of [
      ['text_encoder', w1, 3],
      ['text_encoder_2', w2, 4],
    ] as const) {
      const table = paramValues(indexPart(variant.dir, part)!, 'm.token_embedding.weight');
      expect(table.length).toBe((rows1 + 3) * w);
      expect(Array.from(table.subarray(rows1 * w, (rows1 + 2) * w))).toEqual(Array.from(filled(2 * w, seed)));
      expect(Array.from(table.subarray((rows1 + 2) * w))).toEqual(
        Array.from(table.subarray((rows1 - 1) * w, rows1 * w)),
      );
    }

    const one = path.join(tmp, 'one-encoder.safetensors');
    writeSafetensors(one, { emb_params: { shape: [1, w1], data: filled(w1, 5) } });
    await expect(
      prepareModelVariant(TINY_SDXL, { loras: [], embeddings: [one] }, path.join(tmp, 'variants')),
    ).rejects.toThrow(/needs an SDXL embedding \(clip_l and clip_g\)/);
  });
});
