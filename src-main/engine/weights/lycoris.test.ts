/**
 * LyCORIS LoHa and LoKr files merged into tiny-sd, checked on the merged
 * weights against the definitions written element by element: LoHa
 * dW[o][i] = s * (w1a @ w1b)[o][i] * (w2a @ w2b)[o][i] with s = weight *
 * alpha / rank; LoKr dW[o][i] = s * W1[o / c][i / n] * W2[o % c][i % n]
 * (W2 [c, n], a conv's flattened), s = weight * alpha / rank when a factor
 * is decomposed, else the weight alone. A Tucker-decomposed conv's product is
 * sum over m, n of up[o, m] mid[m, n, k] down[n, c] (LyCORIS keeps a Tucker
 * LoHa's or LoKr's up as [rank, out]).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { TINY_SD } from '../../test-support/fixtures.js';
import { loraFamily } from './file-family.js';
import { indexPart, paramValues, torchDims } from './model-parts.js';
import { prepareModelVariant } from './model-variant.js';
import { writeSafetensors } from './safetensors.js';

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-lycoris-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

type Tensors = Record<string, { shape: number[]; data: Float32Array }>;
const filled = (n: number, seed: number) =>
  Float32Array.from({ length: n }, (_, i) => Math.sin(seed + i * 0.37) * 0.05);
const t = (shape: number[], seed: number) => ({
  shape,
  data: filled(
    shape.reduce((a, b) => a * b, 1),
    seed,
  ),
});
const scalar = (v: number) => ({ shape: [], data: Float32Array.of(v) });

/** (a @ b)[o][i] for a [rows, k], b [k, cols]. */
const at = (a: Float32Array, b: Float32Array, k: number, cols: number, o: number, i: number) => {
  let sum = 0;
  for (let r = 0; r < k; r++) sum += a[o * k + r]! * b[r * cols + i]!;
  return sum;
};

const ATTN_K = 'down_blocks.0.attentions.0.transformer_blocks.0.attn1.to_k.weight'; // a MatMul: stored transposed
const Q_PROJ = 'text_model.encoder.layers.0.self_attn.q_proj.weight';
const CONV = 'down_blocks.0.resnets.0.conv1.weight';

function dimsOf(part: 'unet' | 'text_encoder', param: string): number[] {
  return torchDims(indexPart(TINY_SD, part)!.params.get(param)!);
}

async function expectMerged(
  files: { file: string; weight: number }[],
  expected: { part: 'unet' | 'text_encoder'; param: string; delta: (o: number, i: number) => number }[],
) {
  const variant = await prepareModelVariant(TINY_SD, { loras: files, embeddings: [] }, path.join(tmp, 'variants'));
  expect(variant.warnings).toEqual([]);
  for (const e of expected) {
    const base = paramValues(indexPart(TINY_SD, e.part)!, e.param);
    const merged = paramValues(indexPart(variant.dir, e.part)!, e.param);
    const [out, ...rest] = dimsOf(e.part, e.param) as [number, ...number[]];
    const inner = rest.reduce((a, b) => a * b, 1);
    let worst = 0;
    for (let o = 0; o < out; o++)
      for (let i = 0; i < inner; i++)
        worst = Math.max(worst, Math.abs(merged[o * inner + i]! - (base[o * inner + i]! + e.delta(o, i))));
    expect(worst, e.param).toBeLessThan(1e-6);
  }
}

describe('LyCORIS LoHa and LoKr', () => {
  it('merges a LoHa on a Linear held transposed, summed with a LoRA on the same weight', async () => {
    expect(dimsOf('unet', ATTN_K)).toEqual([32, 32]);
    const stem = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn1_to_k';
    const loha: Tensors = {
      [`${stem}.hada_w1_a`]: t([32, 3], 1),
      [`${stem}.hada_w1_b`]: t([3, 32], 2),
      [`${stem}.hada_w2_a`]: t([32, 2], 3),
      [`${stem}.hada_w2_b`]: t([2, 32], 4),
      [`${stem}.alpha`]: scalar(1.5),
    };
    const lora: Tensors = {
      [`${stem}.lora_up.weight`]: t([32, 4], 5),
      [`${stem}.lora_down.weight`]: t([4, 32], 6),
      [`${stem}.alpha`]: scalar(2),
    };
    const lohaFile = path.join(tmp, 'loha.safetensors');
    const loraFile = path.join(tmp, 'lora.safetensors');
    writeSafetensors(lohaFile, loha);
    writeSafetensors(loraFile, lora);
    const d = (name: string) => loha[`${stem}.${name}`]!.data;
    const u = lora[`${stem}.lora_up.weight`]!.data;
    const dn = lora[`${stem}.lora_down.weight`]!.data;
    await expectMerged(
      [
        { file: lohaFile, weight: 0.7 },
        { file: loraFile, weight: 0.5 },
      ],
      [
        {
          part: 'unet',
          param: ATTN_K,
          delta: (o, i) =>
            ((0.7 * 1.5) / 3) *
              at(d('hada_w1_a'), d('hada_w1_b'), 3, 32, o, i) *
              at(d('hada_w2_a'), d('hada_w2_b'), 2, 32, o, i) +
            ((0.5 * 2) / 4) * at(u, dn, 4, 32, o, i),
        },
      ],
    );
  });

  it('merges LoKr: a whole first factor with a decomposed second (alpha / rank), and a conv of two whole factors (no alpha)', async () => {
    expect(dimsOf('text_encoder', Q_PROJ)).toEqual([32, 32]);
    expect(dimsOf('unet', CONV)).toEqual([32, 32, 3, 3]);
    const q = 'lora_te_text_model_encoder_layers_0_self_attn_q_proj';
    const conv = 'lora_unet_down_blocks_0_resnets_0_conv1';
    const tensors: Tensors = {
      [`${q}.lokr_w1`]: t([2, 4], 11),
      [`${q}.lokr_w2_a`]: t([16, 2], 12),
      [`${q}.lokr_w2_b`]: t([2, 8], 13),
      [`${q}.alpha`]: scalar(3),
      [`${conv}.lokr_w1`]: t([4, 2], 14),
      [`${conv}.lokr_w2`]: t([8, 16, 3, 3], 15),
      [`${conv}.alpha`]: scalar(5), // ignored: neither factor is decomposed
    };
    const file = path.join(tmp, 'lokr.safetensors');
    writeSafetensors(file, tensors);
    const v = (name: string) => tensors[name]!.data;
    await expectMerged(
      [{ file, weight: 0.9 }],
      [
        {
          part: 'text_encoder',
          param: Q_PROJ,
          // W1 [2, 4], W2 = w2_a @ w2_b [16, 8]
          delta: (o, i) =>
            ((0.9 * 3) / 2) *
            v(`${q}.lokr_w1`)[Math.floor(o / 16) * 4 + Math.floor(i / 8)]! *
            at(v(`${q}.lokr_w2_a`), v(`${q}.lokr_w2_b`), 2, 8, o % 16, i % 8),
        },
        {
          part: 'unet',
          param: CONV,
          // W1 [4, 2], W2 [8, 16 * 9]
          delta: (o, i) =>
            0.9 *
            v(`${conv}.lokr_w1`)[Math.floor(o / 8) * 2 + Math.floor(i / 144)]! *
            v(`${conv}.lokr_w2`)[(o % 8) * 144 + (i % 144)]!,
        },
      ],
    );
  });

  it('merges Tucker-decomposed convs: a LoCon with lora_mid, a LoHa with hada_t1/t2, a LoKr with lokr_t2', async () => {
    // A conv [32, 32, 3, 3]; column c * 9 + k of the flattened weight is input channel c, kernel tap k.
    const conv = 'lora_unet_down_blocks_0_resnets_0_conv1';
    const conv2 = 'lora_unet_down_blocks_0_resnets_0_conv2';
    const CONV2 = 'down_blocks.0.resnets.0.conv2.weight';
    const q = 'lora_te_text_model_encoder_layers_0_self_attn_q_proj';
    expect(dimsOf('unet', CONV2)).toEqual([32, 32, 3, 3]);
    const locon: Tensors = {
      [`${conv}.lora_up.weight`]: t([32, 4, 1, 1], 21),
      [`${conv}.lora_mid.weight`]: t([4, 4, 3, 3], 22),
      [`${conv}.lora_down.weight`]: t([4, 32, 1, 1], 23),
      [`${conv}.alpha`]: scalar(2),
    };
    const loha: Tensors = {
      [`${conv2}.hada_w1_a`]: t([3, 32], 24), // [rank, out] when Tucker
      [`${conv2}.hada_t1`]: t([3, 3, 3, 3], 25),
      [`${conv2}.hada_w1_b`]: t([3, 32], 26),
      [`${conv2}.hada_w2_a`]: t([3, 32], 27),
      [`${conv2}.hada_t2`]: t([3, 3, 3, 3], 28),
      [`${conv2}.hada_w2_b`]: t([3, 32], 29),
      [`${conv2}.alpha`]: scalar(1.5),
    };
    // On the text encoder's [32, 32] q_proj a kernel of 1x1: W1 [2, 4] whole, W2 [16, 8] from its Tucker pair.
    const lokr: Tensors = {
      [`${q}.lokr_w1`]: t([2, 4], 30),
      [`${q}.lokr_w2_a`]: t([2, 16], 31),
      [`${q}.lokr_t2`]: t([2, 2, 1, 1], 32),
      [`${q}.lokr_w2_b`]: t([2, 8], 33),
      [`${q}.alpha`]: scalar(3),
    };
    const files = (
      [
        ['locon', locon],
        ['loha-tucker', loha],
        ['lokr-tucker', lokr],
      ] as const
    ).map(([name, tensors]) => {
      const file = path.join(tmp, `${name}.safetensors`);
      writeSafetensors(file, tensors);
      return { file, weight: 0.6 };
    });
    /** sum over m, n of up(o, m) * mid[m, n, k] * down[n, c], for a core [r, r2, kk]. */
    const tucker =
      (
        up: (o: number, m: number) => number,
        mid: Float32Array,
        down: Float32Array,
        r: number,
        r2: number,
        kk: number,
        inC: number,
      ) =>
      (o: number, col: number) => {
        const c = Math.floor(col / kk);
        const k = col % kk;
        let sum = 0;
        for (let m = 0; m < r; m++)
          for (let n = 0; n < r2; n++) sum += up(o, m) * mid[(m * r2 + n) * kk + k]! * down[n * inC + c]!;
        return sum;
      };
    const v = (tensors: Tensors, name: string) => tensors[name]!.data;
    const loconDelta = tucker(
      (o, m) => v(locon, `${conv}.lora_up.weight`)[o * 4 + m]!,
      v(locon, `${conv}.lora_mid.weight`),
      v(locon, `${conv}.lora_down.weight`),
      4,
      4,
      9,
      32,
    );
    const h1 = tucker(
      (o, m) => v(loha, `${conv2}.hada_w1_a`)[m * 32 + o]!,
      v(loha, `${conv2}.hada_t1`),
      v(loha, `${conv2}.hada_w1_b`),
      3,
      3,
      9,
      32,
    );
    const h2 = tucker(
      (o, m) => v(loha, `${conv2}.hada_w2_a`)[m * 32 + o]!,
      v(loha, `${conv2}.hada_t2`),
      v(loha, `${conv2}.hada_w2_b`),
      3,
      3,
      9,
      32,
    );
    const w2 = tucker(
      (o, m) => v(lokr, `${q}.lokr_w2_a`)[m * 16 + o]!,
      v(lokr, `${q}.lokr_t2`),
      v(lokr, `${q}.lokr_w2_b`),
      2,
      2,
      1,
      8,
    );
    await expectMerged(files, [
      { part: 'unet', param: CONV, delta: (o, i) => ((0.6 * 2) / 4) * loconDelta(o, i) },
      { part: 'unet', param: CONV2, delta: (o, i) => ((0.6 * 1.5) / 3) * h1(o, i) * h2(o, i) },
      {
        part: 'text_encoder',
        param: Q_PROJ,
        delta: (o, i) =>
          ((0.6 * 3) / 2) * v(lokr, `${q}.lokr_w1`)[Math.floor(o / 16) * 4 + Math.floor(i / 8)]! * w2(o % 16, i % 8),
      },
    ]);
  });

  it('refuses DoRA by name, and tells a LoHa or LoKr file its family from its shapes', async () => {
    const conv = 'lora_unet_down_blocks_0_resnets_0_conv1';
    const dora = path.join(tmp, 'dora.safetensors');
    writeSafetensors(dora, {
      [`${conv}.lora_up.weight`]: t([32, 2, 1, 1], 1),
      [`${conv}.lora_down.weight`]: t([2, 32, 3, 3], 2),
      [`${conv}.dora_scale`]: t([32, 1, 1, 1], 3),
    });
    await expect(
      prepareModelVariant(TINY_SD, { loras: [{ file: dora, weight: 1 }], embeddings: [] }, path.join(tmp, 'v')),
    ).rejects.toThrow(/DoRA files \(dora_scale\) are not supported/);

    // SD 1.x's cross-attention reads 768-wide text.
    const toK = 'lora_unet_down_blocks_0_attentions_0_transformer_blocks_0_attn2_to_k';
    const lohaFile = path.join(tmp, 'sd1-loha.safetensors');
    writeSafetensors(lohaFile, {
      [`${toK}.hada_w1_a`]: t([320, 1], 1),
      [`${toK}.hada_w1_b`]: t([1, 768], 2),
      [`${toK}.hada_w2_a`]: t([320, 1], 3),
      [`${toK}.hada_w2_b`]: t([1, 768], 4),
    });
    const lokrFile = path.join(tmp, 'sd1-lokr.safetensors');
    writeSafetensors(lokrFile, { [`${toK}.lokr_w1`]: t([4, 4], 1), [`${toK}.lokr_w2`]: t([80, 192], 2) });
    expect(loraFamily(lohaFile)).toBe('sd1');
    expect(loraFamily(lokrFile)).toBe('sd1');
  });
});
