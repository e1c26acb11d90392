/**
 * A hand-over from other pages to Generate (Remix, Use as init image,
 * Inpaint this): the Generate page takes it once when it mounts. Its fields
 * are the gallery's remix record, any of them given.
 */
import type { RemixParams } from '../../src-shared/domain/gallery.js';

export type GenerateDraft = Partial<RemixParams> & { parentId?: number };

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
