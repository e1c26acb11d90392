/**
 * The Generate page's document: every setting, the init image and the mask
 * (with its undo history) in one store outside React, so a page switch
 * unmounts nothing that matters, and saved to localStorage so a reload
 * restores it. Other pages hand work over (Remix, Use as init image, Inpaint
 * this) by writing into the same store.
 */
import { useSyncExternalStore } from 'react';
import type { RemixParams } from '../../src-shared/domain/gallery.js';
import type { GenerationMode, SizeConditioning } from '../../src-shared/domain/generation.js';
import type { SamplerName } from '../../src-shared/domain/samplers.js';
import type { RngMode } from '../../src-shared/domain/settings.js';
import type { InitImage } from '../canvas/CanvasPanel.js';
import type { Rect } from '../canvas/bbox.js';
import { emptyHistory, type CanvasHistory } from '../canvas/canvas-history.js';
import { emptyMask, type MaskDocument } from '../canvas/mask-document.js';
import { isSharedStrings, shareStrings, unshareStrings } from './shared-strings.js';

/** Hires fix as the form holds it (scale 1 is off). */
export interface HiresDraft {
  scale: number;
  steps: number | null;
  denoise: number;
  /** latent, lanczos, or an ONNX upscaler of the models folder's upscalers/ by name. */
  upscaler: string;
}

export const HIRES_OFF: HiresDraft = { scale: 1, steps: null, denoise: 0.7, upscaler: 'latent' };

/** What the canvas's undo covers: the picture and its mask, the box, the parent and the generation size. */
export interface CanvasLayers {
  initImage: InitImage | null;
  mask: MaskDocument;
  bbox: Rect | null;
  parentId: number | undefined;
  width: number;
  height: number;
}

/** Results waiting on the canvas to be accepted into the picture or discarded (InvokeAI's staging area). */
export interface Staging {
  /** Where in the picture they go. */
  box: Rect;
  images: { png: string; galleryId: number | null; seed: number }[];
  /** The one shown. */
  index: number;
}

export interface GenerateDraftState {
  model: string | null;
  mode: GenerationMode;
  prompt: string;
  negativePrompt: string;
  sampler: SamplerName;
  steps: number;
  cfgScale: number;
  width: number;
  height: number;
  /** The seed as typed ('' or '-1': random). */
  seedText: string;
  rng: RngMode;
  batchCount: number;
  strength: number;
  /** Saved styles applied to the prompts at submit. */
  styles: string[];
  /** Hires fix (txt2img): scale 1 is off. */
  hires: HiresDraft;
  /** A1111's variation seed (null: none) and its strength. */
  variationSeed: number | null;
  variationStrength: number;
  /** Inpainting: the whole picture, or only the box around the mask at the set size (and its padding). */
  inpaintArea: 'whole' | 'masked';
  maskPadding: number;
  /** A1111's resize seed from width/height (null: off). */
  seedResize: { width: number; height: number } | null;
  /** A replacement VAE from the models folder's vae/ (null: the model's own). */
  vae: string | null;
  /** SDXL's size conditioning (null fields: the defaults). */
  sizeCond: SizeConditioning;
  initImage: InitImage | null;
  mask: MaskDocument;
  parentId: number | undefined;
  /** The part of the picture a generation fills (null: the whole picture). */
  bbox: Rect | null;
  /** The box is generated at the model's size and scaled into it (InvokeAI's scaled bounding box). */
  bboxScaled: boolean;
  staging: Staging | null;
  history: CanvasHistory<CanvasLayers>;
  /** The canvas's jobs still to come back, with the box each fills. */
  canvasJobs: { jobId: string; box: Rect }[];
  /** True until the user or a hand-over changes something: app defaults (RNG, model size) apply only then. */
  fresh: boolean;
}

const STORAGE_KEY = 'latent-studio.generate-draft.v1';

const defaults = (): GenerateDraftState => ({
  model: null,
  mode: 'txt2img',
  prompt: 'a red circle on a blue background',
  negativePrompt: '',
  sampler: 'euler_a',
  steps: 20,
  cfgScale: 7,
  width: 512,
  height: 512,
  seedText: '-1',
  rng: 'cpu',
  batchCount: 1,
  strength: 0.75,
  sizeCond: { originalWidth: null, originalHeight: null, cropTop: null, cropLeft: null },
  variationSeed: null,
  variationStrength: 0,
  seedResize: null,
  inpaintArea: 'whole',
  maskPadding: 32,
  vae: null,
  hires: HIRES_OFF,
  styles: [],
  initImage: null,
  mask: emptyMask(),
  parentId: undefined,
  bbox: null,
  bboxScaled: true,
  staging: null,
  history: emptyHistory(),
  canvasJobs: [],
  fresh: true,
});

const isRect = (v: unknown): v is Rect => {
  const r = v as Record<string, unknown> | null;
  return (
    r !== null &&
    typeof r === 'object' &&
    ['x', 'y', 'width', 'height'].every((k) => Number.isInteger(r[k]) && (r[k] as number) >= 0)
  );
};
const isInitImage = (v: unknown) => {
  const o = v as Record<string, unknown> | null;
  return v === null || (typeof o?.base64 === 'string' && typeof o?.url === 'string');
};
const isMask = (v: unknown) => Array.isArray((v as Record<string, unknown> | null)?.ops);
const isLayers = (v: unknown) => {
  const o = v as Record<string, unknown> | null;
  return (
    o !== null &&
    typeof o === 'object' &&
    isInitImage(o.initImage) &&
    isMask(o.mask) &&
    (o.bbox === null || isRect(o.bbox)) &&
    (o.parentId === undefined || typeof o.parentId === 'number') &&
    Number.isInteger(o.width) &&
    Number.isInteger(o.height)
  );
};

function validField(key: string, v: unknown, base: GenerateDraftState): boolean {
  const o = v as Record<string, unknown> | null;
  switch (key) {
    case 'model':
      return v === null || typeof v === 'string';
    case 'parentId':
      return v === undefined || typeof v === 'number';
    case 'variationSeed':
      return v === null || (Number.isSafeInteger(v) && (v as number) >= 0);
    case 'vae':
      return v === null || typeof v === 'string';
    case 'inpaintArea':
      return v === 'whole' || v === 'masked';
    case 'seedResize':
      return v === null || (Number.isInteger(o?.width) && Number.isInteger(o?.height));
    case 'initImage':
      return isInitImage(v);
    case 'mask':
      return isMask(v);
    case 'bbox':
      return v === null || isRect(v);
    case 'staging':
      return (
        v === null ||
        (isRect(o?.box) &&
          Number.isInteger(o?.index) &&
          Array.isArray(o?.images) &&
          o.images.length > 0 &&
          o.images.every(
            (i: { png?: unknown; seed?: unknown }) => typeof i?.png === 'string' && typeof i?.seed === 'number',
          ))
      );
    case 'history':
      return Array.isArray(o?.past) && Array.isArray(o?.future) && [...o.past, ...o.future].every(isLayers);
    case 'canvasJobs':
      return Array.isArray(v) && v.every((j) => typeof j?.jobId === 'string' && isRect(j?.box));
    case 'styles':
      return Array.isArray(v) && v.every((n) => typeof n === 'string');
    case 'hires':
      return (
        o !== null &&
        typeof o === 'object' &&
        typeof o.scale === 'number' &&
        typeof o.denoise === 'number' &&
        (o.steps === null || typeof o.steps === 'number') &&
        typeof o.upscaler === 'string'
      );
    case 'sizeCond':
      return (
        o !== null &&
        typeof o === 'object' &&
        Object.keys(base.sizeCond).every((k) => o[k] === null || (Number.isInteger(o[k]) && (o[k] as number) >= 0))
      );
    default:
      return typeof v === typeof base[key as keyof GenerateDraftState];
  }
}

function load(): GenerateDraftState {
  try {
    const raw = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? 'null') as unknown;
    // Written with its long strings (pictures) shared; an entry from before that is plain JSON.
    const saved = (isSharedStrings(raw) ? unshareStrings(raw) : raw) as Partial<GenerateDraftState> | null;
    if (!saved || typeof saved !== 'object') return defaults();
    // Only known keys of the right type survive: an old or hand-edited entry never breaks the page.
    const base = defaults();
    const out: Record<string, unknown> = { ...base };
    for (const [k, v] of Object.entries(saved)) if (k in base && validField(k, v, base)) out[k] = v;
    return { ...(out as unknown as GenerateDraftState), fresh: false };
  } catch {
    return defaults();
  }
}

let state: GenerateDraftState = typeof localStorage === 'undefined' ? defaults() : load();
const listeners = new Set<() => void>();
let saveTimer: ReturnType<typeof setTimeout> | undefined;

function save() {
  const { fresh: _fresh, ...doc } = state;
  try {
    localStorage.setItem(STORAGE_KEY, JSON.stringify(shareStrings(doc)));
  } catch {
    // Over the storage quota (pictures in the history): drop the history and the staged results first,
    // then the picture itself; the settings always stay.
    const lean = { ...doc, history: emptyHistory(), staging: null };
    for (const attempt of [lean, { ...lean, initImage: null, mask: emptyMask(), bbox: null }])
      try {
        localStorage.setItem(STORAGE_KEY, JSON.stringify(shareStrings(attempt)));
        return;
      } catch {
        // Storage unavailable: the draft still lives for this session.
      }
  }
}

export type DraftPatch = Partial<GenerateDraftState>;

/**
 * A new picture on the canvas starts a new document: no mask, box, staged results or history, and the old
 * picture's jobs still running no longer come back to it (their results are in the gallery all the same).
 */
export const newCanvas = (): DraftPatch => ({
  mask: emptyMask(),
  bbox: null,
  staging: null,
  history: emptyHistory(),
  canvasJobs: [],
});

export function updateDraft(patch: DraftPatch | ((s: GenerateDraftState) => DraftPatch)): void {
  const p = typeof patch === 'function' ? patch(state) : patch;
  state = { ...state, fresh: false, ...p };
  // Saved at most 250 ms after the first unsaved change (a stream of edits cannot postpone it for ever),
  // and at once when the page goes away, so a reload or a closed window keeps the last keystroke.
  saveTimer ??= setTimeout(flushDraft, 250);
  for (const l of listeners) l();
}

function flushDraft(): void {
  if (saveTimer === undefined) return;
  clearTimeout(saveTimer);
  saveTimer = undefined;
  save();
}

if (typeof window !== 'undefined') {
  window.addEventListener('pagehide', flushDraft);
  window.addEventListener('beforeunload', flushDraft);
}

/** The draft now, for actions that read it outside React. */
export const currentDraft = (): GenerateDraftState => state;

export function useDraft(): GenerateDraftState {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => state,
  );
}

/** A setter for one field, accepting a value or an updater, like useState's. */
export function draftSetter<K extends keyof GenerateDraftState>(key: K) {
  return (v: GenerateDraftState[K] | ((prev: GenerateDraftState[K]) => GenerateDraftState[K])) =>
    updateDraft((s) => ({
      [key]: typeof v === 'function' ? (v as (p: GenerateDraftState[K]) => GenerateDraftState[K])(s[key]) : v,
    }));
}

/** A hand-over from other pages: the gallery's remix record, any of it given. */
export type GenerateDraft = Partial<RemixParams> & { parentId?: number };

export function handToGenerate(d: GenerateDraft): void {
  const patch: DraftPatch = { parentId: d.parentId };
  if (d.model) patch.model = d.model;
  if (d.mode) patch.mode = d.mode;
  if (d.prompt !== undefined) patch.prompt = d.prompt;
  if (d.negativePrompt !== undefined) patch.negativePrompt = d.negativePrompt;
  if (d.sampler) patch.sampler = d.sampler;
  if (d.steps) patch.steps = d.steps;
  if (d.cfgScale !== undefined && d.cfgScale !== null) patch.cfgScale = d.cfgScale;
  if (d.seed !== undefined && d.seed !== null) patch.seedText = String(d.seed);
  if (d.rng) patch.rng = d.rng;
  if (d.width) patch.width = d.width;
  if (d.height) patch.height = d.height;
  if (d.strength !== undefined && d.strength !== null) patch.strength = d.strength;
  if (d.hiresScale !== undefined)
    patch.hires = {
      scale: d.hiresScale ?? 1,
      steps: d.hiresSteps ?? null,
      denoise: d.hiresDenoise ?? HIRES_OFF.denoise,
      upscaler: d.hiresUpscaler ?? 'latent',
    };
  if (d.vae !== undefined) patch.vae = d.vae;
  if (d.inpaintArea) patch.inpaintArea = d.inpaintArea;
  if (d.maskPadding !== undefined && d.maskPadding !== null) patch.maskPadding = d.maskPadding;
  if (d.seedResizeFromWidth !== undefined)
    patch.seedResize =
      d.seedResizeFromWidth && d.seedResizeFromHeight
        ? { width: d.seedResizeFromWidth, height: d.seedResizeFromHeight }
        : null;
  if (d.variationSeed !== undefined) {
    patch.variationSeed = d.variationSeed ?? null;
    patch.variationStrength = d.variationStrength ?? 0;
  }
  if (d.originalWidth !== undefined)
    patch.sizeCond = {
      originalWidth: d.originalWidth ?? null,
      originalHeight: d.originalHeight ?? null,
      cropTop: d.cropTop ?? null,
      cropLeft: d.cropLeft ?? null,
    };
  if (d.initImage !== undefined)
    patch.initImage = d.initImage ? { base64: d.initImage, url: `data:image/png;base64,${d.initImage}` } : null;
  if (d.initImage !== undefined || d.mask !== undefined) {
    // A new picture is a new canvas document. A remixed inpaint brings its mask back as an operation
    // that can be undone, as if it had just been loaded.
    Object.assign(patch, newCanvas());
    if (d.mask) patch.mask = { ops: [{ type: 'image', dataUrl: `data:image/png;base64,${d.mask}` }] };
  }
  updateDraft((s) =>
    d.mask
      ? {
          ...patch,
          history: {
            past: [
              {
                initImage: patch.initImage ?? s.initImage,
                mask: emptyMask(),
                bbox: null,
                parentId: patch.parentId,
                width: patch.width ?? s.width,
                height: patch.height ?? s.height,
              },
            ],
            future: [],
          },
        }
      : patch,
  );
  window.location.hash = '#/generate';
}

/** Opens the gallery with one item selected (from the Generate page's results). */
let galleryPick: number | null = null;
export function openInGallery(id: number): void {
  galleryPick = id;
  window.location.hash = '#/gallery';
}
export function takeGalleryPick(): number | null {
  const id = galleryPick;
  galleryPick = null;
  return id;
}
