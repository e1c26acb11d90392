/**
 * What each exported graph expects, read from its declared inputs and outputs
 * rather than assumed: exporters differ (int32 vs int64 input_ids, int64 /
 * float / float16 / rank-0 timesteps, latent_sample vs latent_parameters,
 * 4 vs 9 UNet channels, fp16 tensors). The declarations come from a session's
 * metadata (engine) or straight from the ONNX file (model registry).
 */
import type { ModelSession } from '../runtime/shaped-session.js';
import { StudioError } from '../../../src-shared/domain/errors.js';

type Meta = { name: string; type?: string; shape?: readonly (number | string)[] };

/** A graph's declared inputs and outputs. */
export interface GraphIo {
  inputs: readonly Meta[];
  outputs: readonly Meta[];
}

export function sessionIo(session: ModelSession): GraphIo {
  const s = session as unknown as { inputMetadata: Meta[]; outputMetadata: Meta[] };
  return { inputs: s.inputMetadata, outputs: s.outputMetadata };
}

export type FloatType = 'float32' | 'float16';

export interface TextEncoderSignature {
  idsType: 'int32' | 'int64';
  output: string;
  hiddenSize: number | null;
  /** hidden_states[-2] (the layer before the last, no final norm), which SDXL conditions on; null when not exported. */
  penultimate: string | null;
  /** The projected pooled output (CLIPTextModelWithProjection's text_embeds), SDXL's second encoder. */
  pooled: string | null;
  pooledSize: number | null;
}

export interface UnetSignature {
  sampleType: FloatType;
  timestepType: 'int64' | 'float32' | 'float16';
  /** 0 for a scalar timestep, 1 for [batch]. */
  timestepRank: 0 | 1;
  hiddenType: FloatType;
  inChannels: number;
  hiddenSize: number | null;
  /** A fixed batch of 1 forces two UNet runs per step under CFG. */
  batchFixed: number | null;
  output: string;
  extraInputs: string[];
  /** SDXL's added conditioning: the pooled text embedding and the size ids (width and type each). */
  textEmbeds: { dim: number | null; type: FloatType } | null;
  timeIds: { dim: number | null; type: FloatType } | null;
  /** LCM-distilled UNets take the guidance scale as an embedding: its width, or null. */
  timestepCondDim: number | null;
  timestepCondType: FloatType | null;
}

export interface VaeSignature {
  inputType: FloatType;
  input: string;
  output: string;
}

const inputs = (io: GraphIo) => io.inputs;
const outputs = (io: GraphIo) => io.outputs;

function find(list: readonly Meta[], name: string, component: string): Meta {
  const m = list.find((x) => x.name === name);
  if (!m)
    throw new StudioError(
      'BROKEN_MODEL',
      `${component} has no "${name}" (it has ${list.map((x) => x.name).join(', ')})`,
    );
  return m;
}

function floatType(m: Meta, component: string): FloatType {
  if (m.type === 'float32' || m.type === 'float16') return m.type;
  throw new StudioError(
    'UNSUPPORTED_MODEL',
    `${component} input "${m.name}" has type ${m.type}; float32 or float16 expected`,
  );
}

const staticDim = (d: number | string | undefined) => (typeof d === 'number' && d > 0 ? d : null);

export function readTextEncoder(session: GraphIo): TextEncoderSignature {
  const ids = find(inputs(session), 'input_ids', 'text_encoder');
  if (ids.type !== 'int32' && ids.type !== 'int64') {
    throw new StudioError('UNSUPPORTED_MODEL', `text_encoder input_ids has type ${ids.type}; int32 or int64 expected`);
  }
  const out = outputs(session).find((o) => o.name === 'last_hidden_state') ?? outputs(session)[0];
  if (!out) throw new StudioError('BROKEN_MODEL', 'text_encoder has no outputs');
  // optimum exports every layer as hidden_states.0 (embeddings) .. hidden_states.N (last layer).
  const layers = outputs(session)
    .map((o) => /^hidden_states\.(\d+)$/.exec(o.name)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
  const last = layers.length ? Math.max(...layers) : null;
  const pooled = outputs(session).find((o) => o.name === 'text_embeds') ?? null;
  return {
    idsType: ids.type,
    output: out.name,
    hiddenSize: staticDim(out.shape?.[2]),
    penultimate: last !== null && last >= 1 ? `hidden_states.${last - 1}` : null,
    pooled: pooled?.name ?? null,
    pooledSize: pooled ? staticDim(pooled.shape?.[1]) : null,
  };
}

export function readUnet(session: GraphIo): UnetSignature {
  const ins = inputs(session);
  const sample = find(ins, 'sample', 'unet');
  const timestep = find(ins, 'timestep', 'unet');
  const hidden = find(ins, 'encoder_hidden_states', 'unet');
  if (timestep.type !== 'int64' && timestep.type !== 'float32' && timestep.type !== 'float16') {
    throw new StudioError('UNSUPPORTED_MODEL', `unet timestep has type ${timestep.type}`);
  }
  const inChannels = staticDim(sample.shape?.[1]) ?? 4;
  if (inChannels !== 4 && inChannels !== 9) {
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `unet takes ${inChannels} input channels; 4 (standard) or 9 (inpainting) are supported`,
    );
  }
  const out = outputs(session)[0];
  if (!out) throw new StudioError('BROKEN_MODEL', 'unet has no outputs');
  const cond = ins.find((i) => i.name === 'timestep_cond');
  const textEmbeds = ins.find((i) => i.name === 'text_embeds');
  const timeIds = ins.find((i) => i.name === 'time_ids');
  return {
    sampleType: floatType(sample, 'unet'),
    timestepType: timestep.type,
    timestepRank: (timestep.shape?.length ?? 1) === 0 ? 0 : 1,
    hiddenType: floatType(hidden, 'unet'),
    inChannels,
    hiddenSize: staticDim(hidden.shape?.[2]),
    batchFixed: staticDim(sample.shape?.[0]),
    output: out.name,
    extraInputs: ins
      .map((i) => i.name)
      .filter(
        (n) => !['sample', 'timestep', 'encoder_hidden_states', 'timestep_cond', 'text_embeds', 'time_ids'].includes(n),
      ),
    textEmbeds: textEmbeds ? { dim: staticDim(textEmbeds.shape?.[1]), type: floatType(textEmbeds, 'unet') } : null,
    timeIds: timeIds ? { dim: staticDim(timeIds.shape?.[1]), type: floatType(timeIds, 'unet') } : null,
    timestepCondDim: cond ? (staticDim(cond.shape?.[1]) ?? 256) : null,
    timestepCondType: cond ? floatType(cond, 'unet') : null,
  };
}

export function readVaeDecoder(session: GraphIo): VaeSignature {
  const input = find(inputs(session), 'latent_sample', 'vae_decoder');
  const out = outputs(session)[0];
  if (!out) throw new StudioError('BROKEN_MODEL', 'vae_decoder has no outputs');
  return { inputType: floatType(input, 'vae_decoder'), input: input.name, output: out.name };
}

export function readVaeEncoder(session: GraphIo): VaeSignature {
  const input = find(inputs(session), 'sample', 'vae_encoder');
  const out = outputs(session).find((o) => o.name === 'latent_parameters' || o.name === 'latent_sample');
  if (!out)
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `vae_encoder outputs ${outputs(session)
        .map((o) => o.name)
        .join(', ')}; latent_sample or latent_parameters expected`,
    );
  return { inputType: floatType(input, 'vae_encoder'), input: input.name, output: out.name };
}
