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

function unetToLdm(name: string, layout: UnetLayout): string | null {
  const L = layout.layersPerBlock;
  let m: RegExpExecArray | null;
  const simple: Record<string, string> = {
    'time_embedding.linear_1.': 'time_embed.0.',
    'time_embedding.linear_2.': 'time_embed.2.',
    'conv_in.': 'input_blocks.0.0.',
    'conv_norm_out.': 'out.0.',
    'conv_out.': 'out.2.',
  };
  for (const [from, to] of Object.entries(simple)) if (name.startsWith(from)) return to + name.slice(from.length);
  if ((m = /^down_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/.exec(name))) {
    return `input_blocks.${1 + Number(m[1]) * (L + 1) + Number(m[2])}.0.${rename(m[3]!, UNET_RESNET)}`;
  }
  if ((m = /^down_blocks\.(\d+)\.attentions\.(\d+)\.(.*)$/.exec(name))) {
    return `input_blocks.${1 + Number(m[1]) * (L + 1) + Number(m[2])}.1.${m[3]}`;
  }
  if ((m = /^down_blocks\.(\d+)\.downsamplers\.0\.conv\.(.*)$/.exec(name))) {
    return `input_blocks.${(Number(m[1]) + 1) * (L + 1)}.0.op.${m[2]}`;
  }
  if ((m = /^mid_block\.resnets\.(\d+)\.(.*)$/.exec(name))) {
    return `middle_block.${Number(m[1]) * 2}.${rename(m[2]!, UNET_RESNET)}`;
  }
  if ((m = /^mid_block\.attentions\.0\.(.*)$/.exec(name))) return `middle_block.1.${m[1]}`;
  if ((m = /^up_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/.exec(name))) {
    return `output_blocks.${Number(m[1]) * (L + 1) + Number(m[2])}.0.${rename(m[3]!, UNET_RESNET)}`;
  }
  if ((m = /^up_blocks\.(\d+)\.attentions\.(\d+)\.(.*)$/.exec(name))) {
    return `output_blocks.${Number(m[1]) * (L + 1) + Number(m[2])}.1.${m[3]}`;
  }
  if ((m = /^up_blocks\.(\d+)\.upsamplers\.0\.conv\.(.*)$/.exec(name))) {
    const level = Number(m[1]);
    return `output_blocks.${level * (L + 1) + L}.${layout.upWithAttention.has(level) ? 2 : 1}.conv.${m[2]}`;
  }
  return null;
}

function vaeToLdm(name: string, upLevels: number): string | null {
  let m: RegExpExecArray | null;
  if ((m = /^(encoder|decoder)\.mid_block\.resnets\.(\d+)\.(.*)$/.exec(name))) {
    return `${m[1]}.mid.block_${Number(m[2]) + 1}.${rename(m[3]!, VAE_RESNET)}`;
  }
  if ((m = /^(encoder|decoder)\.mid_block\.attentions\.0\.(.*)$/.exec(name))) {
    return `${m[1]}.mid.attn_1.${rename(m[2]!, VAE_ATTENTION)}`;
  }
  if ((m = /^encoder\.down_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/.exec(name))) {
    return `encoder.down.${m[1]}.block.${m[2]}.${rename(m[3]!, VAE_RESNET)}`;
  }
  if ((m = /^encoder\.down_blocks\.(\d+)\.downsamplers\.0\.(.*)$/.exec(name)))
    return `encoder.down.${m[1]}.downsample.${m[2]}`;
  if ((m = /^decoder\.up_blocks\.(\d+)\.resnets\.(\d+)\.(.*)$/.exec(name))) {
    return `decoder.up.${upLevels - 1 - Number(m[1])}.block.${m[2]}.${rename(m[3]!, VAE_RESNET)}`;
  }
  if ((m = /^decoder\.up_blocks\.(\d+)\.upsamplers\.0\.(.*)$/.exec(name))) {
    return `decoder.up.${upLevels - 1 - Number(m[1])}.upsample.${m[2]}`;
  }
  if ((m = /^(encoder|decoder)\.conv_norm_out\.(.*)$/.exec(name))) return `${m[1]}.norm_out.${m[2]}`;
  return name;
}

export interface LdmContext {
  unet: UnetLayout;
  /** Up levels of the VAE decoder (ldm numbers them in reverse). */
  vaeUpLevels: number;
}

/** The ldm key of a diffusers parameter of a part; null when the layout has no such parameter. */
export function ldmKey(part: ModelPart, name: string, ctx: LdmContext): string | null {
  if (part === 'text_encoder') return `cond_stage_model.transformer.${name}`;
  if (part === 'unet') {
    const k = unetToLdm(name, ctx.unet);
    return k === null ? null : `model.diffusion_model.${k}`;
  }
  const k = vaeToLdm(name, ctx.vaeUpLevels);
  return k === null ? null : `first_stage_model.${k}`;
}
