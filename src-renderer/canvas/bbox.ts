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

/** One side snapped to the multiple, at least MIN_BOX (or the picture, when it is smaller), at most the picture. */
function snapSide(length: number, limit: number, multiple: number): number {
  const most = Math.max(multiple, Math.floor(limit / multiple) * multiple);
  const least = Math.min(most, Math.ceil(MIN_BOX / multiple) * multiple);
  return Math.min(most, Math.max(least, Math.round(length / multiple) * multiple));
}

/** A box as dragged, made valid: corners on the grid, sides on the model's multiple, inside the picture. */
export function snapBox(box: Rect, picture: { width: number; height: number }, multiple: number): Rect {
  const width = snapSide(box.width, picture.width, multiple);
  const height = snapSide(box.height, picture.height, multiple);
  // Corners on the 8-pixel latent grid, as InvokeAI snaps them: the box is easy to place again.
  const place = (v: number, room: number) => Math.min(Math.max(0, Math.round(v / GRID) * GRID), Math.max(0, room));
  const x = place(box.x, picture.width - width);
  const y = place(box.y, picture.height - height);
  return { x, y, width, height };
}

export const sameBox = (a: Rect | null, b: Rect | null) =>
  a === b || (!!a && !!b && a.x === b.x && a.y === b.y && a.width === b.width && a.height === b.height);

export const boxLabel = (r: Rect) => `${r.width}×${r.height}`;
