/**
 * A model ready to run: its sessions (created once, reused for every job),
 * their signatures, the tokenizer, the detected family, and typed run helpers
 * that convert at the boundary (fp16, int32/int64, timestep shapes) so the
 * pipeline works in float32 throughout.
 */
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../../src-shared/domain/errors.js';
import type { ProviderName } from '../../../src-shared/domain/settings.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { openSession, type OpenedSession, type SessionTuning } from '../runtime/sessions.js';
import { float16ToFloat32, float32ToFloat16 } from '../runtime/float16.js';
import { readModelFolder, type ModelFolder } from './model-folder.js';
import {
  readTextEncoder,
  readUnet,
  readVaeDecoder,
  readVaeEncoder,
  type FloatType,
  type TextEncoderSignature,
  type UnetSignature,
  type VaeSignature,
} from './signatures.js';

export type ModelFamily = 'sd1' | 'sd2' | 'sd2-v' | 'custom';

export interface ModelDescription {
  family: ModelFamily;
  inpainting: boolean;
  precision: FloatType;
  predictionType: 'epsilon' | 'v_prediction';
  vaeScale: number;
  /** Latent height and width must be multiples of this, when the export says; null when unknown. */
  latentMultiple: number | null;
}

export function floatTensor(type: FloatType, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return type === 'float16' ? new ort.Tensor('float16', float32ToFloat16(data), dims) : new ort.Tensor('float32', data, dims);
}

export function tensorToFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  throw new StudioError('UNSUPPORTED_MODEL', `model output has type ${tensor.type}; float32 or float16 expected`);
}

function describe(folder: ModelFolder, te: TextEncoderSignature, unet: UnetSignature): ModelDescription {
  if (folder.hasSecondTextEncoder || unet.extraInputs.includes('text_embeds')) {
    throw new StudioError('UNSUPPORTED_MODEL', `"${folder.name}" is an SDXL model; SDXL is not supported yet (SD 1.x and 2.x are)`);
  }
  if (unet.extraInputs.includes('timestep_cond')) {
    throw new StudioError('UNSUPPORTED_MODEL', `"${folder.name}" is a guidance-distilled LCM model (timestep_cond input), which is not supported yet`);
  }
  if (unet.extraInputs.length > 0) {
    throw new StudioError('UNSUPPORTED_MODEL', `"${folder.name}" has unexpected UNet inputs: ${unet.extraInputs.join(', ')}`);
  }
  if (te.hiddenSize && unet.hiddenSize && te.hiddenSize !== unet.hiddenSize) {
    throw new StudioError('BROKEN_MODEL', `"${folder.name}": text encoder width ${te.hiddenSize} does not match the UNet's ${unet.hiddenSize}`);
  }
  const predictionType = folder.schedulerConfig.prediction_type === 'v_prediction' ? 'v_prediction' : 'epsilon';
  const hidden = te.hiddenSize ?? unet.hiddenSize;
  const family: ModelFamily = hidden === 768 ? 'sd1' : hidden === 1024 ? (predictionType === 'v_prediction' ? 'sd2-v' : 'sd2') : 'custom';
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
  };
}

export class LoadedModel {
  private constructor(
    readonly folder: ModelFolder,
    readonly tokenizer: ClipTokenizer,
    readonly description: ModelDescription,
    readonly provider: ProviderName,
    readonly providerNote: string | null,
    private readonly sessions: { te: OpenedSession; unet: OpenedSession; dec: OpenedSession; enc: OpenedSession | null },
    readonly sig: { te: TextEncoderSignature; unet: UnetSignature; dec: VaeSignature; enc: VaeSignature | null },
  ) {}

  static async load(dir: string, order: readonly ProviderName[], tuning: SessionTuning = {}): Promise<LoadedModel> {
    const folder = readModelFolder(dir);
    const tokenizer = ClipTokenizer.fromFolder(folder.tokenizerDir);
    const open = async (file: string, component: string) => {
      try {
        return await openSession(file, order, tuning);
      } catch (err) {
        throw new StudioError('BROKEN_MODEL', `"${folder.name}": ${component} could not be loaded: ${(err as Error).message.split(': ').slice(-1)[0]}`);
      }
    };
    // The UNet decides the provider; the others follow it so tensors stay on one device kind.
    const unet = await open(folder.files.unet!, 'unet');
    const order2 = [unet.provider, ...order.filter((p) => p !== unet.provider)];
    const te = await open(folder.files.text_encoder!, 'text_encoder');
    const dec = await open(folder.files.vae_decoder!, 'vae_decoder');
    const enc = folder.files.vae_encoder ? await openSession(folder.files.vae_encoder, order2, tuning).catch(() => null) : null;
    const sig = {
      te: readTextEncoder(te.session),
      unet: readUnet(unet.session),
      dec: readVaeDecoder(dec.session),
      enc: enc ? readVaeEncoder(enc.session) : null,
    };
    const description = describe(folder, sig.te, sig.unet);
    const note = unet.fallbacks.length
      ? `Using ${unet.provider}: ${unet.fallbacks.map((f) => `${f.provider} unavailable (${f.reason})`).join('; ')}`
      : null;
    return new LoadedModel(folder, tokenizer, description, unet.provider, note, { te, unet, dec, enc }, sig);
  }

  get canEncodeImages(): boolean {
    return this.sessions.enc !== null;
  }

  /** Hidden states [77 * D] of one 77-token chunk. */
  async encodeTokens(ids: readonly number[]): Promise<{ hidden: Float32Array; dim: number }> {
    const data = this.sig.te.idsType === 'int64' ? BigInt64Array.from(ids, (v) => BigInt(v)) : Int32Array.from(ids);
    const input = new ort.Tensor(this.sig.te.idsType, data, [1, ids.length]);
    const out = await this.sessions.te.session.run({ input_ids: input });
    const tensor = out[this.sig.te.output]!;
    return { hidden: Float32Array.from(tensorToFloat32(tensor)), dim: tensor.dims[2]! };
  }

  /** One UNet call over a batch; `timestep` is the scheduler's value. */
  async unet(sample: Float32Array, sampleDims: readonly number[], timestep: number, hidden: Float32Array, hiddenDims: readonly number[]): Promise<Float32Array> {
    const s = this.sig.unet;
    const batch = sampleDims[0]!;
    const tDims = s.timestepRank === 0 ? [] : [batch];
    const count = s.timestepRank === 0 ? 1 : batch;
    let t: ort.Tensor;
    if (s.timestepType === 'int64') t = new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.trunc(timestep))), tDims);
    else t = floatTensor(s.timestepType, new Float32Array(count).fill(timestep), tDims);
    const out = await this.sessions.unet.session.run({
      sample: floatTensor(s.sampleType, sample, sampleDims),
      timestep: t,
      encoder_hidden_states: floatTensor(s.hiddenType, hidden, hiddenDims),
    });
    return tensorToFloat32(out[s.output]!);
  }

  /** Latents (already divided by the VAE scale) -> image in [-1, 1], [1, 3, H, W]. */
  async decode(latents: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const out = await this.sessions.dec.session.run({ [this.sig.dec.input]: floatTensor(this.sig.dec.inputType, latents, dims) });
    return tensorToFloat32(out[this.sig.dec.output]!);
  }

  /** Image in [-1, 1] -> unscaled latents [1, 4, h, w] (the mean of latent_parameters). */
  async encode(image: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    if (!this.sessions.enc || !this.sig.enc) {
      throw new StudioError('UNSUPPORTED_MODEL', `"${this.folder.name}" has no vae_encoder, so it cannot do img2img or inpainting`);
    }
    const out = await this.sessions.enc.session.run({ [this.sig.enc.input]: floatTensor(this.sig.enc.inputType, image, dims) });
    const params = tensorToFloat32(out[this.sig.enc.output]!);
    // latent_parameters = mean || logvar on the channel axis: the first half is the mean.
    if (this.sig.enc.output === 'latent_parameters') return Float32Array.from(params.subarray(0, params.length / 2));
    return Float32Array.from(params);
  }

  async release(): Promise<void> {
    const all = [this.sessions.te, this.sessions.unet, this.sessions.dec, this.sessions.enc];
    await Promise.all(all.map((s) => s?.session.release().catch(() => {})));
  }
}
