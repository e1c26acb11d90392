/**
 * AUTOMATIC1111's `parameters` text, written the way A1111 lays it out:
 * prompt lines, a `Negative prompt:` line when there is one, then the
 * settings line `Steps: ..., Sampler: ..., Schedule type: ..., CFG scale: ...,
 * Seed: ..., Size: WxH, Model hash: ..., Model: ...` with values that contain
 * `,`, `:` or a newline quoted as JSON strings.
 */
import { type GenerationSettings, zHiresUpscaler, zVaeName } from '../../src-shared/domain/generation.js';
import { NOTHING_PARSED, type ParsedSettings } from './parsed-settings.js';
import { fromA1111Sampler, toA1111Sampler } from './sampler-names.js';

/** The record's settings as A1111 writes them (strength only for img2img / inpainting). */
export type InfotextParams = Omit<GenerationSettings, 'mode' | 'strength'> & {
  model?: string;
  modelHash?: string;
  /** img2img / inpainting only. */
  strength?: number;
  /** `name: hash, ...` of the LoRAs and embeddings used, as A1111 lists them. */
  loraHashes?: string;
  tiHashes?: string;
  vae?: string;
  vaeHash?: string;
  version?: string;
};

export function quoteValue(value: string): string {
  return /[,:\n]/.test(value) ? JSON.stringify(value) : value;
}

function formatNumber(n: number): string {
  return Number.isInteger(n) ? String(n) : String(Number(n.toFixed(4)));
}

export function formatInfotext(p: InfotextParams): string {
  const { sampler, schedule, ensd } = toA1111Sampler(p.sampler);
  const settings: [string, string | undefined][] = [
    ['Steps', String(p.steps)],
    ['Sampler', sampler],
    ['Schedule type', schedule],
    ['CFG scale', formatNumber(p.cfgScale)],
    ['Seed', String(p.seed)],
    // A1111 writes the variation seed only when it changes the picture.
    ...(p.variationSeed != null && (p.variationStrength ?? 0) > 0
      ? ([
          ['Variation seed', String(p.variationSeed)],
          ['Variation seed strength', formatNumber(p.variationStrength!)],
        ] as [string, string][])
      : []),
    // A1111 writes these for inpainting of only the masked area.
    ...(p.inpaintArea === 'masked'
      ? ([
          ['Inpaint area', 'Only masked'],
          ['Masked area padding', String(p.maskPadding ?? 32)],
        ] as [string, string][])
      : []),
    ...(p.seedResizeFromWidth && p.seedResizeFromHeight
      ? ([['Seed resize from', `${p.seedResizeFromWidth}x${p.seedResizeFromHeight}`]] as [string, string][])
      : []),
    ['Size', `${p.width}x${p.height}`],
    ['Model hash', p.modelHash],
    ['Model', p.model],
    [
      'Denoising strength',
      p.strength !== undefined
        ? formatNumber(p.strength)
        : (p.hiresScale ?? 1) > 1
          ? formatNumber(p.hiresDenoise ?? 0.7)
          : undefined,
    ],
    // A1111's hires fix fields, when the second pass ran.
    ...((p.hiresScale ?? 1) > 1
      ? ([
          ['Hires upscale', formatNumber(p.hiresScale!)],
          ['Hires steps', p.hiresSteps ? String(p.hiresSteps) : undefined],
          ['Hires upscaler', hiresUpscalerName(p.hiresUpscaler)],
        ] as [string, string | undefined][])
      : []),
    // A1111's default noise source is the GPU; it writes RNG only for the others.
    ['RNG', p.rng === 'cpu' ? 'CPU' : undefined],
    // A1111 writes its "Eta noise seed delta" setting when it is not 0.
    ['ENSD', ensd === undefined ? undefined : String(ensd)],
    ['VAE hash', p.vaeHash],
    ['VAE', p.vae],
    ['Lora hashes', p.loraHashes],
    ['TI hashes', p.tiHashes],
    ['Version', p.version],
  ];
  const line = settings
    .filter((e): e is [string, string] => e[1] !== undefined && e[1] !== '')
    .map(([k, v]) => `${k}: ${quoteValue(v)}`)
    .join(', ');
  const negative = p.negativePrompt ? `\nNegative prompt: ${p.negativePrompt}` : '';
  return `${p.prompt}${negative}\n${line}`.trim();
}

export type ParsedInfotext = ParsedSettings & {
  /** Every `key: value` of the settings line, unquoted. */
  settings: Record<string, string>;
};

const SETTING = /\s*(\w[\w \-/]+):\s*("(?:\\.|[^\\"])+"|[^,]*)(?:,|$)/g;

function unquote(v: string): string {
  const t = v.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) {
    try {
      return JSON.parse(t) as string;
    } catch {
      return t;
    }
  }
  return t;
}

const num = (v: string | undefined) =>
  v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : null;

/** Parses A1111's text as its own parser does: the last line is settings when it has 3+ `key: value` pairs. */
export function parseInfotext(text: string): ParsedInfotext {
  const lines = text.replace(/\r\n/g, '\n').trim().split('\n');
  let settings: Record<string, string> = {};
  const last = lines[lines.length - 1] ?? '';
  const matches = [...last.matchAll(SETTING)];
  if (matches.length >= 3) {
    settings = Object.fromEntries(matches.map((m) => [m[1]!.trim(), unquote(m[2]!)]));
    lines.pop();
  }
  const promptLines: string[] = [];
  const negativeLines: string[] = [];
  let inNegative = false;
  for (const line of lines) {
    if (!inNegative && line.startsWith('Negative prompt:')) {
      inNegative = true;
      negativeLines.push(line.slice('Negative prompt:'.length).trim());
    } else (inNegative ? negativeLines : promptLines).push(line);
  }
  const size = /^(\d+)x(\d+)$/.exec(settings.Size ?? '');
  const rng = settings.RNG?.toUpperCase();
  return {
    ...NOTHING_PARSED,
    prompt: promptLines.join('\n').trim(),
    negativePrompt: negativeLines.join('\n').trim(),
    settings,
    steps: num(settings.Steps),
    sampler: settings.Sampler
      ? fromA1111Sampler(settings.Sampler, settings['Schedule type'], num(settings.ENSD))
      : null,
    samplerLabel: settings.Sampler ?? null,
    cfgScale: num(settings['CFG scale']),
    seed: num(settings.Seed),
    width: size ? Number(size[1]) : null,
    height: size ? Number(size[2]) : null,
    model: settings.Model ?? null,
    modelHash: settings['Model hash'] ?? null,
    strength: num(settings['Denoising strength']),
    variationSeed: settings['Variation seed strength'] ? num(settings['Variation seed']) : null,
    variationStrength: num(settings['Variation seed strength']),
    ...seedResizeFrom(settings['Seed resize from']),
    inpaintArea: /^only masked$/i.test(settings['Inpaint area'] ?? '') ? 'masked' : null,
    maskPadding: settings['Inpaint area'] ? num(settings['Masked area padding']) : null,
    ...(settings['Hires upscale']
      ? {
          hiresScale: num(settings['Hires upscale']),
          hiresSteps: num(settings['Hires steps']),
          hiresDenoise: num(settings['Denoising strength']),
          hiresUpscaler: hiresUpscalerOf(settings['Hires upscaler']),
        }
      : {}),
    rng: rng === 'CPU' ? 'cpu' : rng === 'GPU' || rng === 'NV' ? 'gpu' : Object.keys(settings).length ? 'gpu' : null,
    vae: settings.VAE && zVaeName.safeParse(settings.VAE).success ? settings.VAE : null,
  };
}

/** A1111's `Seed resize from: WxH` (-1x-1 or absent: off). */
function seedResizeFrom(text: string | undefined): {
  seedResizeFromWidth: number | null;
  seedResizeFromHeight: number | null;
} {
  const m = /^(\d+)x(\d+)$/.exec(text?.trim() ?? '');
  return m && Number(m[1]) > 0 && Number(m[2]) > 0
    ? { seedResizeFromWidth: Number(m[1]), seedResizeFromHeight: Number(m[2]) }
    : { seedResizeFromWidth: null, seedResizeFromHeight: null };
}

/** Our hires upscaler as A1111 names it: Latent, Lanczos, or the upscaler's own name. */
function hiresUpscalerName(u: string | null | undefined): string {
  return !u || u === 'latent' ? 'Latent' : u === 'lanczos' ? 'Lanczos' : u;
}

/**
 * A1111's hires upscaler: its latent upscalers are all "Latent ..."; Lanczos
 * (and Nearest) is ours; any other name (ESRGAN, 4x-UltraSharp...) is kept,
 * and runs when the models folder's upscalers/ has a file of that name.
 */
function hiresUpscalerOf(name: string | undefined): string {
  const n = (name ?? 'Latent').trim();
  if (/^latent/i.test(n)) return 'latent';
  if (/^(lanczos|nearest|none)$/i.test(n) || !zHiresUpscaler.safeParse(n).success) return 'lanczos';
  return n;
}
