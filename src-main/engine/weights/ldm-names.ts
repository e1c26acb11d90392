/**
 * Diffusers parameter names -> the CompVis / ldm single-file names that
 * AUTOMATIC1111 and CivitAI checkpoints use (SD 1.x). The UNet's block
 * numbering depends on the model's layout (resnets per level, which up levels
 * have attention), read from the template's own parameters.
 */
import type { ModelPart } from './param-map.js';

export interface UnetLayout {
  /** Resnets per down level (up levels have one more). */
  layersPerBlock: number;
  /** Up levels that carry attention. */
  upWithAttention: Set<number>;
}

export function unetLayout(paramNames: Iterable<string>): UnetLayout {
  let layers = 0;
  const upWithAttention = new Set<number>();
  for (const name of paramNames) {
    const down = /^down_blocks\.\d+\.resnets\.(\d+)\./.exec(name);
    if (down) layers = Math.max(layers, Number(down[1]) + 1);
    const up = /^up_blocks\.(\d+)\.attentions\./.exec(name);
    if (up) upWithAttention.add(Number(up[1]));
  }
  return { layersPerBlock: layers, upWithAttention };
}

const UNET_RESNET: [RegExp, string][] = [
  [/^norm1\./, 'in_layers.0.'],
  [/^conv1\./, 'in_layers.2.'],
  [/^time_emb_proj\./, 'emb_layers.1.'],
  [/^norm2\./, 'out_layers.0.'],
  [/^conv2\./, 'out_layers.3.'],
  [/^conv_shortcut\./, 'skip_connection.'],
];
const VAE_RESNET: [RegExp, string][] = [[/^conv_shortcut\./, 'nin_shortcut.']];
const VAE_ATTENTION: [RegExp, string][] = [
  [/^group_norm\./, 'norm.'],
  [/^to_q\./, 'q.'],
  [/^to_k\./, 'k.'],
  [/^to_v\./, 'v.'],
  [/^to_out\.0\./, 'proj_out.'],
];

const rename = (rest: string, table: [RegExp, string][]) => {
  for (const [re, to] of table) if (re.test(rest)) return rest.replace(re, to);
  return rest;
};

type Rule = [RegExp, (m: RegExpExecArray) => string];

/** The first rule whose pattern matches the name, applied; null when none does. */
function applyRules(name: string, rules: readonly Rule[]): string | null {
  for (const [re, to] of rules) {
    const m = re.exec(name);
    if (m) return to(m);
  }
  return null;
}

function unetRules(layout: UnetLayout): Rule[] {
  const L = layout.layersPerBlock;
  const n = (s: string | undefined) => Number(s);
  return [
    [/^time_embedding\.linear_1\.(.*)$/, (m) => `time_embed.0.${m[1]}`],
    [/^time_embedding\.linear_2\.(.*)$/, (m) => `time_embed.2.${m[1]}`],
    // SDXL's pooled text and size ids, added to the time embedding.
    [/^add_embedding\.linear_1\.(.*)$/, (m) => `label_emb.0.0.${m[1]}`],
    [/^add_embedding\.linear_2\.(.*)$/, (m) => `label_emb.0.2.${m[1]}`],
    [/^conv_in\.(.*)$/, (m) => `input_blocks.0.0.${m[1]}`],
    [/^conv_norm_out\.(.*)$/, (m) => `out.0.${m[1]}`],
    [/^conv_out\.(.*)$/, (m) => `out.2.${m[1]}`],
    [
      /^down_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/,
      (m) => `input_blocks.${1 + n(m[1]) * (L + 1) + n(m[2])}.0.${rename(m[3]!, UNET_RESNET)}`,
    ],
    [
      /^down_blocks\.(\d+)\.attentions\.(\d+)\.(.*)$/,
      (m) => `input_blocks.${1 + n(m[1]) * (L + 1) + n(m[2])}.1.${m[3]}`,
    ],
    [
      /^down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)$/,
      (m) => `input_blocks.${(n(m[1]) + 1) * (L + 1)}.0.op.${m[2]}`,
    ],
    [/^mid_block\.resnets\.(\d+)\.(.*)$/, (m) => `middle_block.${n(m[1]) * 2}.${rename(m[2]!, UNET_RESNET)}`],
    [/^mid_block\.attentions\.0\.(.*)$/, (m) => `middle_block.1.${m[1]}`],
    [
      /^up_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/,
      (m) => `output_blocks.${n(m[1]) * (L + 1) + n(m[2])}.0.${rename(m[3]!, UNET_RESNET)}`,
    ],
    [/^up_blocks\.(\d+)\.attentions\.(\d+)\.(.*)$/, (m) => `output_blocks.${n(m[1]) * (L + 1) + n(m[2])}.1.${m[3]}`],
    [
      /^up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)$/,
      (m) => `output_blocks.${n(m[1]) * (L + 1) + L}.${layout.upWithAttention.has(n(m[1])) ? 2 : 1}.conv.${m[2]}`,
    ],
  ];
}

function vaeRules(upLevels: number): Rule[] {
  const up = (s: string | undefined) => upLevels - 1 - Number(s);
  return [
    [
      /^(encoder|decoder)\.mid_block\.resnets\.(\d+)\.(.*)$/,
      (m) => `${m[1]}.mid.block_${Number(m[2]) + 1}.${rename(m[3]!, VAE_RESNET)}`,
    ],
    [
      /^(encoder|decoder)\.mid_block\.attentions\.0\.(.*)$/,
      (m) => `${m[1]}.mid.attn_1.${rename(m[2]!, VAE_ATTENTION)}`,
    ],
    [
      /^encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/,
      (m) => `encoder.down.${m[1]}.block.${m[2]}.${rename(m[3]!, VAE_RESNET)}`,
    ],
    [/^encoder\.down_blocks\.(\d+)\.downsamplers\.0\.(.*)$/, (m) => `encoder.down.${m[1]}.downsample.${m[2]}`],
    [
      /^decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/,
      (m) => `decoder.up.${up(m[1])}.block.${m[2]}.${rename(m[3]!, VAE_RESNET)}`,
    ],
    [/^decoder\.up_blocks\.(\d+)\.upsamplers\.0\.(.*)$/, (m) => `decoder.up.${up(m[1])}.upsample.${m[2]}`],
    [/^(encoder|decoder)\.conv_norm_out\.(.*)$/, (m) => `${m[1]}.norm_out.${m[2]}`],
    // conv_in, conv_out, quant_conv, post_quant_conv keep their names.
    [/^(.*)$/, (m) => m[1]!],
  ];
}

export interface LdmContext {
  unet: UnetLayout;
  /** Up levels of the VAE decoder (ldm numbers them in reverse). */
  vaeUpLevels: number;
}

/** The ldm key of a diffusers parameter of a part; null when the layout has no such parameter. */
export function ldmKey(part: ModelPart, name: string, ctx: LdmContext): string | null {
  if (part === 'text_encoder') return `cond_stage_model.transformer.${name}`;
  // SDXL single files (conditioner.embedders.1, OpenCLIP layout) are not converted yet.
  if (part === 'text_encoder_2') return null;
  if (part === 'unet') {
    const k = applyRules(name, unetRules(ctx.unet));
    return k === null ? null : `model.diffusion_model.${k}`;
  }
  return `first_stage_model.${applyRules(name, vaeRules(ctx.vaeUpLevels))}`;
}
