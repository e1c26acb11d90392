/**
 * A model ready to run: its sessions (created once, reused for every job),
 * their signatures, the tokenizer, the detected family, and typed run helpers
 * that convert at the boundary (fp16, int32/int64, timestep shapes) so the
 * pipeline works in float32 throughout.
 */
import { redactPaths } from '../redact-paths.js';
import * as ort from 'onnxruntime-node';
import { StudioError } from '../../../src-shared/domain/errors.js';
import type { ProviderName } from '../../../src-shared/domain/settings.js';
import { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';
import { runTiled } from '../upscale/tiles.js';
import { averagedLatents, type Guide, matchTileToGuide } from './vae-colour-guide.js';

export interface VaeTiling {
  /** Latent pixels per tile side, and the overlap on inner sides. */
  tile: number;
  overlap: number;
  /** Tiling starts when a latent side is larger than this. */
  above: number;
}

/** Whole up to 1024x1024 (SD 1.x at 2x hires, SDXL at its own size); 768-pixel tiles beyond. */
export const DEFAULT_VAE_TILING: VaeTiling = { tile: 96, overlap: 16, above: 128 };
const LATENT_CHANNELS_OUT = 4;
import { openSession, type OpenedSession, type SessionTuning } from '../runtime/sessions.js';
import { float16ToFloat32, float32ToFloat16 } from '../runtime/float16.js';
import { runAnySize } from '../runtime/shaped-session.js';
import { readModelFolder, type ModelFolder } from './model-folder.js';
import { describeModel, type ModelDescription } from './family.js';
import {
  readTextEncoder,
  readUnet,
  readVaeDecoder,
  readVaeEncoder,
  sessionIo,
  type FloatType,
  type TextEncoderSignature,
  type UnetSignature,
  type VaeSignature,
} from './signatures.js';

export type { ModelDescription, ModelFamily } from './family.js';

export function floatTensor(type: FloatType, data: Float32Array, dims: readonly number[]): ort.Tensor {
  return type === 'float16'
    ? new ort.Tensor('float16', float32ToFloat16(data), dims)
    : new ort.Tensor('float32', data, dims);
}

export function tensorToFloat32(tensor: ort.Tensor): Float32Array {
  if (tensor.type === 'float16') return float16ToFloat32(tensor.data as Uint16Array);
  if (tensor.type === 'float32') return tensor.data as Float32Array;
  throw new StudioError('UNSUPPORTED_MODEL', `model output has type ${tensor.type}; float32 or float16 expected`);
}

export class LoadedModel {
  private constructor(
    readonly folder: ModelFolder,
    readonly tokenizer: ClipTokenizer,
    readonly description: ModelDescription,
    readonly provider: ProviderName,
    readonly providerNote: string | null,
    private readonly sessions: {
      te: OpenedSession;
      te2: OpenedSession | null;
      unet: OpenedSession;
      dec: OpenedSession;
    },
    readonly sig: {
      te: TextEncoderSignature;
      te2: TextEncoderSignature | null;
      unet: UnetSignature;
      dec: VaeSignature;
    },
    /** SDXL's second tokenizer (pads with "!"); null for one-encoder models. */
    readonly tokenizer2: ClipTokenizer | null,
    /** Opens the VAE encoder, once, when img2img or inpainting first needs it (txt2img never pays for it). */
    private readonly openEncoder: () => Promise<OpenedSession>,
  ) {}

  private encoder: Promise<{ opened: OpenedSession; sig: VaeSignature }> | null = null;

  static async load(dir: string, order: readonly ProviderName[], tuning: SessionTuning = {}): Promise<LoadedModel> {
    const folder = readModelFolder(dir);
    const tokenizer = ClipTokenizer.fromFolder(folder.tokenizerDir);
    const open = async (
      file: string,
      component: string,
      providers: readonly ProviderName[],
      settings: SessionTuning = tuning,
    ) => {
      const broken = (reason: string, cause: unknown) =>
        new StudioError(
          'BROKEN_MODEL',
          `"${folder.name}": ${component} could not be loaded: ${redactPaths(reason.split('\n')[0]!)}`,
          { cause },
        );
      try {
        return await openSession(file, providers, settings, broken);
      } catch (err) {
        // Every provider failed: the CPU's reason says what is wrong with the file (a GPU's only that it is absent).
        const tried = (err as { fallbacks?: { provider: ProviderName; reason: string }[] }).fallbacks ?? [];
        throw broken((tried.find((f) => f.provider === 'cpu') ?? tried.at(-1))?.reason ?? (err as Error).message, err);
      }
    };
    // The UNet decides the provider; the others follow it so tensors stay on one device kind.
    const unet = await open(folder.files.unet!, 'unet', order);
    const rest = [unet.provider, ...order.filter((p) => p !== unet.provider)];
    // Run once per picture: their idle threads must not spin while the UNet loop runs.
    const once = { ...tuning, allowSpinning: false };
    const te = await open(folder.files.text_encoder!, 'text_encoder', rest, once);
    const te2 = folder.files.text_encoder_2
      ? await open(folder.files.text_encoder_2, 'text_encoder_2', rest, once)
      : null;
    const dec = await open(folder.files.vae_decoder!, 'vae_decoder', rest, once);
    const sig = {
      te: readTextEncoder(sessionIo(te.session)),
      te2: te2 ? readTextEncoder(sessionIo(te2.session)) : null,
      unet: readUnet(sessionIo(unet.session)),
      dec: readVaeDecoder(sessionIo(dec.session)),
    };
    const description = describeModel(folder, sig.te, sig.unet, sig.te2);
    const tokenizer2 = folder.tokenizer2Dir ? ClipTokenizer.fromFolder(folder.tokenizer2Dir) : null;
    const note = unet.fallbacks.length
      ? `Using ${unet.provider}: ${unet.fallbacks.map((f) => `${f.provider} unavailable (${f.reason})`).join('; ')}`
      : null;
    const openEncoder = () => open(folder.files.vae_encoder!, 'vae_encoder', rest, once);
    return new LoadedModel(
      folder,
      tokenizer,
      description,
      unet.provider,
      note,
      { te, te2, unet, dec },
      sig,
      tokenizer2,
      openEncoder,
    );
  }

  get canEncodeImages(): boolean {
    return this.folder.files.vae_encoder !== undefined;
  }

  /**
   * Hidden states [77 * D] of one 77-token chunk. SD 1.x/2.x: the last hidden
   * state. SDXL: hidden_states[-2] of the first encoder (`encoder` 1) or the
   * second (2), with the second's pooled projection.
   */
  async encodeTokens(
    ids: readonly number[],
    encoder: 1 | 2 = 1,
  ): Promise<{ hidden: Float32Array; dim: number; pooled: Float32Array | null }> {
    const sig = encoder === 1 ? this.sig.te : this.sig.te2;
    const session = encoder === 1 ? this.sessions.te : this.sessions.te2;
    if (!sig || !session) throw new StudioError('INTERNAL', `"${this.folder.name}" has no second text encoder`);
    const data = sig.idsType === 'int64' ? BigInt64Array.from(ids, (v) => BigInt(v)) : Int32Array.from(ids);
    const input = new ort.Tensor(sig.idsType, data, [1, ids.length]);
    const out = await session.session.run({ input_ids: input });
    const name = this.description.family === 'sdxl' ? sig.penultimate! : sig.output;
    const tensor = out[name]!;
    const pooled = sig.pooled && out[sig.pooled] ? Float32Array.from(tensorToFloat32(out[sig.pooled]!)) : null;
    return { hidden: Float32Array.from(tensorToFloat32(tensor)), dim: tensor.dims[2]!, pooled };
  }

  /** One UNet call over a batch; `timestep` is the scheduler's value; `timestepCond` the LCM guidance embedding. */
  async unet(
    sample: Float32Array,
    sampleDims: readonly number[],
    timestep: number,
    hidden: Float32Array,
    hiddenDims: readonly number[],
    timestepCond?: Float32Array,
    /** SDXL: the pooled text embeddings [batch, D] and the size ids [batch, 6], batch-ordered like `hidden`. */
    added?: { textEmbeds: Float32Array; timeIds: Float32Array },
  ): Promise<Float32Array> {
    const s = this.sig.unet;
    const batch = sampleDims[0]!;
    const tDims = s.timestepRank === 0 ? [] : [batch];
    const count = s.timestepRank === 0 ? 1 : batch;
    let t: ort.Tensor;
    if (s.timestepType === 'int64')
      t = new ort.Tensor('int64', new BigInt64Array(count).fill(BigInt(Math.trunc(timestep))), tDims);
    else t = floatTensor(s.timestepType, new Float32Array(count).fill(timestep), tDims);
    const feeds: Record<string, ort.Tensor> = {
      sample: floatTensor(s.sampleType, sample, sampleDims),
      timestep: t,
      encoder_hidden_states: floatTensor(s.hiddenType, hidden, hiddenDims),
    };
    if (s.timestepCondDim !== null) {
      if (!timestepCond) throw new StudioError('INTERNAL', 'this UNet needs the guidance embedding');
      feeds.timestep_cond = floatTensor(s.timestepCondType!, timestepCond, [batch, s.timestepCondDim]);
    }
    if (s.textEmbeds && s.timeIds) {
      if (!added) throw new StudioError('INTERNAL', 'this UNet needs the pooled text embeddings and size ids');
      feeds.text_embeds = floatTensor(s.textEmbeds.type, added.textEmbeds, [batch, added.textEmbeds.length / batch]);
      feeds.time_ids = floatTensor(s.timeIds.type, added.timeIds, [batch, added.timeIds.length / batch]);
    }
    const out = await this.sessions.unet.session.run(feeds);
    return tensorToFloat32(out[s.output]!);
  }

  /**
   * The VAE on large pictures: latents larger than `above` on a side are
   * decoded (and pictures encoded) in tiles of `tile` latent pixels with
   * `overlap` on inner sides, blended, so a 2048x2048 picture needs the
   * memory of one tile. Null: always whole.
   */
  vaeTiling: VaeTiling | null = DEFAULT_VAE_TILING;
  /**
   * Attention tokens above which the guidance passes (negative, prompt) run one at a time instead of as one
   * batch, halving the attention's memory: 96x96, SD 1.5 at 768x768 (SDXL, attention from half size, at 1536).
   */
  separateGuidanceAbove = 96 * 96;
  /** Tiles matched to a whole decode of the latents averaged down (colour guide); off only to measure it. */
  vaeColourGuide = true;

  private tiled(h: number, w: number): VaeTiling | null {
    const t = this.vaeTiling;
    return t && Math.max(h, w) > t.above ? t : null;
  }

  /** Latents (already divided by the VAE scale) -> image in [-1, 1], [1, 3, H, W]. */
  async decode(latents: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const [, c, h, w] = dims as [number, number, number, number];
    const t = this.tiled(h, w);
    if (!t) return this.decodeWhole(latents, dims);
    // The colour guide: the latents averaged down to one tile, decoded whole (see vae-colour-guide.ts).
    const factor = Math.ceil(Math.max(h, w) / t.tile);
    const small = averagedLatents(latents, c, h, w, factor);
    const guide: Guide = {
      data: await this.decodeWhole(small.data, [1, c, small.height, small.width]),
      width: small.width * 8,
      height: small.height * 8,
      factor,
    };
    return runTiled({
      input: latents,
      inChannels: c,
      width: w,
      height: h,
      outChannels: 3,
      scale: 8,
      tile: t.tile,
      overlap: t.overlap,
      run: (chw, tw, th) => this.decodeWhole(chw, [1, c, th, tw], true),
      adjust: this.vaeColourGuide ? (out, tw, th, at) => matchTileToGuide(out, tw, th, at, guide) : undefined,
    });
  }

  /** `tile`: one of many sizes, run on the graph that takes any size (see ShapedSession). */
  private async decodeWhole(latents: Float32Array, dims: readonly number[], tile = false): Promise<Float32Array> {
    const feeds = { [this.sig.dec.input]: floatTensor(this.sig.dec.inputType, latents, dims) };
    const session = this.sessions.dec.session;
    const out = await (tile ? runAnySize(session, feeds) : session.run(feeds));
    const image = tensorToFloat32(out[this.sig.dec.output]!);
    if (this.sig.dec.inputType === 'float16' && image.some((v) => !Number.isFinite(v))) {
      // SDXL's original VAE overflows in fp16 (diffusers upcasts it; an ONNX graph cannot be upcast here).
      throw new StudioError(
        'UNSUPPORTED_MODEL',
        `"${this.folder.name}": its fp16 VAE decoder overflowed; use an export with an fp32 VAE or the fp16-fix VAE (madebyollin/sdxl-vae-fp16-fix)`,
      );
    }
    return image;
  }

  /** Image in [-1, 1] -> unscaled latents [1, 4, h, w] (the mean of latent_parameters). */
  async encode(image: Float32Array, dims: readonly number[]): Promise<Float32Array> {
    const [, , H, W] = dims as [number, number, number, number];
    const t = this.tiled(H / 8, W / 8);
    if (!t) return this.encodeWhole(image, dims);
    return runTiled({
      input: image,
      inChannels: 3,
      width: W,
      height: H,
      outChannels: LATENT_CHANNELS_OUT,
      scale: 1 / 8,
      tile: t.tile * 8,
      overlap: t.overlap * 8,
      run: (chw, tw, th) => this.encodeWhole(chw, [1, 3, th, tw], true),
    });
  }

  private async encodeWhole(image: Float32Array, dims: readonly number[], tile = false): Promise<Float32Array> {
    if (!this.canEncodeImages) {
      throw new StudioError(
        'UNSUPPORTED_MODEL',
        `"${this.folder.name}" has no vae_encoder, so it cannot do img2img or inpainting`,
      );
    }
    this.encoder ??= this.openEncoder().then((opened) => ({ opened, sig: readVaeEncoder(sessionIo(opened.session)) }));
    let enc: { opened: OpenedSession; sig: VaeSignature };
    try {
      enc = await this.encoder;
    } catch (err) {
      this.encoder = null; // a later try may succeed (a file put right, memory freed)
      throw err;
    }
    const feeds = { [enc.sig.input]: floatTensor(enc.sig.inputType, image, dims) };
    const out = await (tile ? runAnySize(enc.opened.session, feeds) : enc.opened.session.run(feeds));
    const params = tensorToFloat32(out[enc.sig.output]!);
    // latent_parameters = mean || logvar on the channel axis: the first half is the mean.
    if (enc.sig.output === 'latent_parameters') return Float32Array.from(params.subarray(0, params.length / 2));
    return Float32Array.from(params);
  }

  async release(): Promise<void> {
    const enc = await this.encoder?.catch(() => null);
    const all = [this.sessions.te, this.sessions.te2, this.sessions.unet, this.sessions.dec, enc?.opened];
    await Promise.all(all.map((s) => s?.session.release().catch(() => {})));
  }
}
