/**
 * The inpainting mask as data: an ordered list of operations in image pixel
 * coordinates (strokes, fills, clears, inverts, loaded images). Rendering
 * replays them. Undo lives in the canvas history (canvas-history.ts), where
 * one operation is one step. Pure: no DOM, no Konva.
 */
export type MaskTool = 'brush' | 'eraser';

export type MaskOp =
  | { type: 'stroke'; tool: MaskTool; size: number; hardness: number; points: number[] }
  | { type: 'fill' }
  | { type: 'clear' }
  | { type: 'invert' }
  | { type: 'image'; dataUrl: string };

export interface MaskDocument {
  ops: readonly MaskOp[];
}

export const emptyMask = (): MaskDocument => ({ ops: [] });

export function opAdded(doc: MaskDocument, op: MaskOp): MaskDocument {
  return { ops: [...doc.ops, op] };
}

/** Whether anything would be painted: a quick check before sending an inpaint job. */
export function isBlank(doc: MaskDocument): boolean {
  let painted = false;
  for (const op of doc.ops) {
    if (op.type === 'clear') painted = false;
    else if (op.type === 'fill' || op.type === 'invert' || op.type === 'image') painted = true;
    else if (op.type === 'stroke' && op.tool === 'brush') painted = true;
  }
  return !painted;
}

/** Brush sizes step by about 10% with [ and ], within 1..1024 px. */
export function nextBrushSize(size: number, direction: 1 | -1): number {
  const step = Math.max(1, Math.round(size * 0.1));
  return Math.min(1024, Math.max(1, size + direction * step));
}

/** Zoom around a point: the point under the cursor stays put. */
export function zoomAt(
  view: { scale: number; x: number; y: number },
  pointer: { x: number; y: number },
  factor: number,
) {
  const scale = Math.min(32, Math.max(0.05, view.scale * factor));
  const worldX = (pointer.x - view.x) / view.scale;
  const worldY = (pointer.y - view.y) / view.scale;
  return { scale, x: pointer.x - worldX * scale, y: pointer.y - worldY * scale };
}

/** The view that fits an image inside a viewport, centred, with a margin. */
export function fitView(
  image: { width: number; height: number },
  viewport: { width: number; height: number },
  margin = 16,
) {
  const scale = Math.min((viewport.width - 2 * margin) / image.width, (viewport.height - 2 * margin) / image.height);
  return { scale, x: (viewport.width - image.width * scale) / 2, y: (viewport.height - image.height * scale) / 2 };
}
