/**
 * Which kind of Stable Diffusion model a folder holds, and whether the engine
 * runs it: one place for the rules, used by the engine when it loads a model
 * and by the registry when it lists one.
 */
import { StudioError } from '../../../src-shared/domain/errors.js';
import type { ModelFolder } from './model-folder.js';
import type { FloatType, TextEncoderSignature, UnetSignature } from './signatures.js';

export type ModelFamily = 'sd1' | 'sd2' | 'sd2-v' | 'sdxl' | 'custom';

export interface ModelDescription {
  family: ModelFamily;
  inpainting: boolean;
  precision: FloatType;
  predictionType: 'epsilon' | 'v_prediction';
  vaeScale: number;
  /** Latent height and width must be multiples of this, when the export says; null when unknown. */
  latentMultiple: number | null;
  /** Guidance-distilled (LCM): CFG goes in as an embedding, one UNet pass per step. */
  guidanceEmbedding: boolean;
  /** The picture size the model was trained at (unet sample_size x 8), or the family's usual one; null when unknown. */
  nativeSize: number | null;
  /** SDXL: an empty negative prompt conditions on zeros, not on the encoded "" (model_index.json, diffusers' default true). */
  forceZerosForEmptyPrompt: boolean;
  /**
   * The first UNet level with attention (0: the latent's own size, as SD 1.x; 1: half of it, as SDXL), from
   * down_block_types; 0 when the config does not say. Its token count sets the attention's memory.
   */
  firstAttentionLevel: number;
}

const FAMILY_SIZE: Record<ModelFamily, number | null> = { sd1: 512, sd2: 512, 'sd2-v': 768, sdxl: 1024, custom: null };

/** Throws UNSUPPORTED_MODEL / BROKEN_MODEL with the reason when the engine cannot run it. */
export function describeModel(
  folder: ModelFolder,
  te: TextEncoderSignature,
  unet: UnetSignature,
  te2: TextEncoderSignature | null = null,
): ModelDescription {
  const sdxl = te2 !== null || unet.textEmbeds !== null || unet.timeIds !== null;
  if (sdxl) checkSdxl(folder.name, te, te2, unet);
  if (unet.extraInputs.length > 0) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${folder.name}" has unexpected UNet inputs: ${unet.extraInputs.join(', ')}`,
    );
  }
  const textWidth = te.hiddenSize && (sdxl ? te2!.hiddenSize && te.hiddenSize + te2!.hiddenSize : te.hiddenSize);
  if (textWidth && unet.hiddenSize && textWidth !== unet.hiddenSize) {
    throw new StudioError(
      'BROKEN_MODEL',
      `"${folder.name}": text encoder width ${textWidth} does not match the UNet's ${unet.hiddenSize}`,
    );
  }
  const predictionType = folder.schedulerConfig.prediction_type === 'v_prediction' ? 'v_prediction' : 'epsilon';
  const hidden = te.hiddenSize ?? unet.hiddenSize;
  const family: ModelFamily = sdxl
    ? 'sdxl'
    : hidden === 768
      ? 'sd1'
      : hidden === 1024
        ? predictionType === 'v_prediction'
          ? 'sd2-v'
          : 'sd2'
        : 'custom';
  const unetConfig = folder.configs.unet;
  const blocks = Array.isArray(unetConfig?.down_block_types) ? unetConfig.down_block_types.length : null;
  const scale = folder.configs.vae_decoder?.scaling_factor;
  return {
    family,
    inpainting: unet.inChannels === 9,
    precision: unet.sampleType,
    predictionType,
    vaeScale: typeof scale === 'number' && scale > 0 ? scale : 0.18215,
    latentMultiple: blocks ? 2 ** (blocks - 1) : null,
    guidanceEmbedding: unet.timestepCondDim !== null,
    nativeSize:
      typeof unetConfig?.sample_size === 'number' && unetConfig.sample_size > 0
        ? unetConfig.sample_size * 8
        : FAMILY_SIZE[family],
    forceZerosForEmptyPrompt: sdxl && folder.modelIndex?.force_zeros_for_empty_prompt !== false,
    firstAttentionLevel: Math.max(
      0,
      Array.isArray(unetConfig?.down_block_types)
        ? unetConfig.down_block_types.findIndex((t: unknown) => typeof t === 'string' && /Attn/.test(t))
        : 0,
    ),
  };
}

/** SDXL base needs both encoders' penultimate states, the pooled projection and a UNet taking text_embeds and 6 time ids. */
function checkSdxl(
  name: string,
  te: TextEncoderSignature,
  te2: TextEncoderSignature | null,
  unet: UnetSignature,
): void {
  if (unet.timeIds?.dim === 5) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${name}" is an SDXL refiner (aesthetic-score conditioning); refiners are not supported yet, SDXL base models are`,
    );
  }
  const missing = [
    !te2 && 'text_encoder_2/',
    te2 && !te2.pooled && 'text_encoder_2 output text_embeds',
    te2 && !te2.penultimate && 'text_encoder_2 hidden_states outputs',
    !te.penultimate && 'text_encoder hidden_states outputs',
    !unet.textEmbeds && 'unet input text_embeds',
    !unet.timeIds && 'unet input time_ids',
  ].filter(Boolean);
  if (missing.length > 0) {
    throw new StudioError('UNSUPPORTED_MODEL', `"${name}" looks like SDXL but lacks ${missing.join(', ')}`);
  }
}
