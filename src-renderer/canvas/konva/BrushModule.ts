/**
 * Brush and eraser: the stroke in progress lives in a buffer line and is
 * committed once, as one mask operation, when the pointer is released; a
 * dashed circle shows the brush under the pointer.
 */
import Konva from 'konva';
import type { MaskOp, MaskTool } from '../mask-document.js';

export interface BrushSettings {
  tool: MaskTool;
  size: number;
  hardness: number;
  opacity: number;
}

export class BrushModule {
  readonly type = 'brush';
  private readonly buffer: Konva.Line = new Konva.Line({
    lineCap: 'round',
    lineJoin: 'round',
    listening: false,
    visible: false,
  });
  private readonly cursor = new Konva.Circle({ stroke: '#fff', listening: false, visible: false });
  private points: number[] | null = null;
  private settings: BrushSettings = { tool: 'brush', size: 32, hardness: 0.8, opacity: 0.5 };

  constructor(
    strokeLayer: Konva.Layer,
    cursorLayer: Konva.Layer,
    private readonly committed: (op: MaskOp) => void,
  ) {
    strokeLayer.add(this.buffer);
    cursorLayer.add(this.cursor);
  }

  sync(settings: BrushSettings, scale: number): void {
    this.settings = settings;
    const eraser = settings.tool === 'eraser';
    this.buffer.setAttrs({
      stroke: eraser ? '#9ad0ff' : '#ff3b6b',
      strokeWidth: settings.size,
      opacity: settings.opacity,
      dash: eraser ? [settings.size / 2, settings.size / 2] : [],
    });
    this.cursor.setAttrs({ radius: settings.size / 2, strokeWidth: 1 / scale, dash: [4 / scale, 4 / scale] });
  }

  /** The pointer over the picture (null: away or another tool). */
  hover(at: { x: number; y: number } | null): void {
    this.cursor.visible(at !== null);
    if (at) this.cursor.position(at);
    if (at && this.points) {
      this.points = [...this.points, at.x, at.y];
      this.buffer.points(this.points);
    }
  }

  begin(at: { x: number; y: number }): void {
    this.points = [at.x, at.y];
    this.buffer.points(this.points);
    this.buffer.visible(true);
  }

  /** The stroke becomes one operation; nothing happens when no stroke is in progress. */
  end(): void {
    if (!this.points) return;
    const { tool, size, hardness } = this.settings;
    this.committed({ type: 'stroke', tool, size, hardness, points: this.points });
    this.points = null;
    this.buffer.visible(false);
  }

  destroy(): void {
    this.buffer.destroy();
    this.cursor.destroy();
  }
}
