/**
 * Generation parameters written by other tools: ComfyUI's `prompt` graph
 * (API format) and InvokeAI's `invokeai_metadata`. Each reader returns what it
 * can find; nothing here throws on odd input.
 */
import { NOTHING_PARSED, type ParsedSettings } from './parsed-settings.js';
import { fromComfySampler, fromInvokeScheduler } from './sampler-names.js';

const num = (v: unknown) =>
  typeof v === 'number' && Number.isFinite(v)
    ? v
    : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))
      ? Number(v)
      : null;
const str = (v: unknown) => (typeof v === 'string' ? v : null);

/** A JSON object from text that may be anything (other tools' metadata); null when it is not one. */
function parseJsonObject<T extends object>(json: string): T | null {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? (value as T) : null;
  } catch {
    return null;
  }
}

type ComfyNode = { class_type?: string; inputs?: Record<string, unknown> };

/** Follows the KSampler's links through the API graph to the prompts, size and checkpoint. */
export function parseComfyPrompt(json: string): ParsedSettings | null {
  const graph = parseJsonObject<Record<string, ComfyNode>>(json);
  if (!graph) return null;
  const nodes = Object.values(graph);
  const sampler = nodes.find((n) => /KSampler/.test(n?.class_type ?? ''));
  if (!sampler?.inputs) return null;
  const link = (v: unknown): ComfyNode | null =>
    Array.isArray(v) && typeof v[0] !== 'undefined' ? (graph[String(v[0])] ?? null) : null;

  /** Text of a conditioning input, following reroutes and simple pass-through nodes. */
  const textOf = (v: unknown, depth = 0): string | null => {
    const node = link(v);
    if (!node?.inputs || depth > 8) return null;
    const t = node.inputs.text ?? node.inputs.text_g ?? node.inputs.prompt;
    if (typeof t === 'string') return t;
    if (Array.isArray(t)) return textOf(t, depth + 1);
    const next = node.inputs.conditioning ?? node.inputs.positive ?? node.inputs.conditioning_1;
    return next ? textOf(next, depth + 1) : null;
  };
  const latent = (v: unknown, depth = 0): ComfyNode | null => {
    const node = link(v);
    if (!node?.inputs || depth > 8) return null;
    if (node.inputs.width !== undefined) return node;
    return node.inputs.samples ? latent(node.inputs.samples, depth + 1) : null;
  };
  const checkpoint = (v: unknown, depth = 0): string | null => {
    const node = link(v);
    if (!node?.inputs || depth > 8) return null;
    const name = node.inputs.ckpt_name ?? node.inputs.unet_name;
    if (typeof name === 'string') return name;
    return node.inputs.model ? checkpoint(node.inputs.model, depth + 1) : null;
  };
  const i = sampler.inputs;
  const size = latent(i.latent_image);
  const samplerName = str(i.sampler_name);
  const denoise = num(i.denoise);
  return {
    ...NOTHING_PARSED,
    prompt: textOf(i.positive) ?? '',
    negativePrompt: textOf(i.negative) ?? '',
    steps: num(i.steps),
    sampler: samplerName ? fromComfySampler(samplerName, str(i.scheduler) ?? undefined) : null,
    samplerLabel: samplerName ? `${samplerName}${i.scheduler ? ` ${String(i.scheduler)}` : ''}` : null,
    cfgScale: num(i.cfg),
    seed: num(i.seed ?? i.noise_seed),
    width: num(size?.inputs?.width),
    height: num(size?.inputs?.height),
    model: checkpoint(i.model)?.replace(/\.(safetensors|ckpt|pt)$/i, '') ?? null,
    strength: denoise !== null && denoise < 1 ? denoise : null,
    // ComfyUI draws its noise on the CPU whatever the device.
    rng: 'cpu',
  };
}

export function parseInvokeMetadata(json: string): ParsedSettings | null {
  const m = parseJsonObject<Record<string, unknown>>(json);
  if (!m) return null;
  const model = (m.model ?? {}) as Record<string, unknown>;
  const scheduler = str(m.scheduler);
  return {
    ...NOTHING_PARSED,
    prompt: str(m.positive_prompt) ?? '',
    negativePrompt: str(m.negative_prompt) ?? '',
    steps: num(m.steps),
    sampler: scheduler ? fromInvokeScheduler(scheduler) : null,
    samplerLabel: scheduler,
    cfgScale: num(m.cfg_scale),
    seed: num(m.seed),
    width: num(m.width),
    height: num(m.height),
    model: str(model.name),
    modelHash: str(model.hash),
    strength: num(m.strength),
  };
}
