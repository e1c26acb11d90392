/**
 * Which kind of Stable Diffusion model a folder holds, and whether the engine
 * runs it: one place for the rules, used by the engine when it loads a model
 * and by the registry when it lists one.
 */
import { StudioError } from '../../../src-shared/domain/errors.js';
import type { ModelFolder } from './model-folder.js';
import type { FloatType, TextEncoderSignature, UnetSignature } from './signatures.js';

export type ModelFamily = 'sd1' | 'sd2' | 'sd2-v' | 'custom';

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
}

const FAMILY_SIZE: Record<ModelFamily, number | null> = { sd1: 512, sd2: 512, 'sd2-v': 768, custom: null };

/** Throws UNSUPPORTED_MODEL / BROKEN_MODEL with the reason when the engine cannot run it. */
export function describeModel(folder: ModelFolder, te: TextEncoderSignature, unet: UnetSignature): ModelDescription {
  if (folder.hasSecondTextEncoder || unet.extraInputs.includes('text_embeds')) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${folder.name}" is an SDXL model; SDXL is not supported yet (SD 1.x and 2.x are)`,
    );
  }
  if (unet.extraInputs.length > 0) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `"${folder.name}" has unexpected UNet inputs: ${unet.extraInputs.join(', ')}`,
    );
  }
  if (te.hiddenSize && unet.hiddenSize && te.hiddenSize !== unet.hiddenSize) {
    throw new StudioError(
      'BROKEN_MODEL',
      `"${folder.name}": text encoder width ${te.hiddenSize} does not match the UNet's ${unet.hiddenSize}`,
    );
  }
  const predictionType = folder.schedulerConfig.prediction_type === 'v_prediction' ? 'v_prediction' : 'epsilon';
  const hidden = te.hiddenSize ?? unet.hiddenSize;
  const family: ModelFamily =
    hidden === 768 ? 'sd1' : hidden === 1024 ? (predictionType === 'v_prediction' ? 'sd2-v' : 'sd2') : 'custom';
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
  };
}
