/**
 * A hand-over from other pages to Generate (Remix, Use as init image,
 * Inpaint this): the Generate page takes it once when it mounts.
 */
import type { GenerationMode, SamplerName } from '../../src-shared/domain/engine.js';
import type { RngMode } from '../../src-shared/domain/settings.js';

export interface GenerateDraft {
  parentId?: number;
  model?: string | null;
  mode?: GenerationMode;
  prompt?: string;
  negativePrompt?: string;
  sampler?: SamplerName | null;
  steps?: number | null;
  cfgScale?: number | null;
  seed?: number | null;
  rng?: RngMode | null;
  width?: number;
  height?: number;
  strength?: number | null;
  /** base64 bytes */
  initImage?: string | null;
  mask?: string | null;
}

let pending: GenerateDraft | null = null;

export function handToGenerate(draft: GenerateDraft): void {
  pending = draft;
  window.location.hash = '#/generate';
}

export function takeDraft(): GenerateDraft | null {
  const d = pending;
  pending = null;
  return d;
}
