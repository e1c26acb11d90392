/**
 * The bounding box: the part of the picture that a generation fills, in
 * picture pixels. Its size is the generation's size, so it is kept on the
 * model's multiple and inside the picture. Pure.
 */
export interface Rect {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** The smallest box side: the smallest size the engine generates. */
export const MIN_BOX = 64;
const GRID = 8;

export const wholePicture = (picture: { width: number; height: number }): Rect => ({
  x: 0,
  y: 0,
  width: picture.width,
  height: picture.height,
});

/** One side snapped to the multiple, at least MIN_BOX (or the room, when it is smaller), at most the room. */
function snapSide(length: number, limit: number, multiple: number): number {
  const most = Math.max(multiple, Math.floor(limit / multiple) * multiple);
  const least = Math.min(most, Math.ceil(MIN_BOX / multiple) * multiple);
  return Math.min(most, Math.max(least, Math.round(length / multiple) * multiple));
}

/**
 * A box as dragged, made valid: corners on the grid, sides on the model's
 * multiple, inside the picture, or up to `room` pixels beyond its edges
 * (inpainting: a box over the edge outpaints).
 */
export function snapBox(box: Rect, picture: { width: number; height: number }, multiple: number, room = 0): Rect {
  const width = snapSide(box.width, picture.width + 2 * room, multiple);
  const height = snapSide(box.height, picture.height + 2 * room, multiple);
  // Corners on the 8-pixel latent grid, as InvokeAI snaps them: the box is easy to place again.
  const place = (v: number, end: number) => Math.min(Math.max(0 - room, Math.round(v / GRID) * GRID), end + room) || 0; // || 0: never -0
  const x = place(box.x, picture.width - width);
  const y = place(box.y, picture.height - height);
  return { x, y, width, height };
}

/** How far a box reaches beyond each edge of the picture (all 0: inside). */
export function beyondPicture(box: Rect, picture: { width: number; height: number }) {
  return {
    left: Math.max(0, -box.x),
    top: Math.max(0, -box.y),
    right: Math.max(0, box.x + box.width - picture.width),
    bottom: Math.max(0, box.y + box.height - picture.height),
  };
}

export const isInside = (box: Rect, picture: { width: number; height: number }) =>
  Object.values(beyondPicture(box, picture)).every((v) => v === 0);

/**
 * The size a box is generated at when scaled to the model (InvokeAI's scaled
 * bounding box): the box's shape with the area of the model's native square,
 * sides on the model's multiple. A 96x64 box on SD 1.5 (native 512) is made at
 * 624x416 and scaled back into the box, where the model draws well.
 */
export function scaledSize(box: { width: number; height: number }, native: number, multiple: number) {
  const k = native / Math.sqrt(box.width * box.height);
  const side = (v: number) => Math.max(multiple, Math.round((v * k) / multiple) * multiple);
  return { width: side(box.width), height: side(box.height) };
}

/** What a box is generated at: scaled to the model (when asked and the model's size is known) or its own size. */
export const boxGenerationSize = (box: Rect, scaled: boolean, native: number | null, multiple: number) =>
  scaled && native ? scaledSize(box, native, multiple) : { width: box.width, height: box.height };

export const sameBox = (a: Rect | null, b: Rect | null) =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height);

export const boxLabel = (r: Rect) => `${r.width}×${r.height}`;
