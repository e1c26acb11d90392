/**
 * The root of the canvas: one Konva stage with the picture layer (picture,
 * staged result), the mask layer (tinted mask, stroke in progress) and the
 * tool layer (box, brush cursor). React creates it, calls sync() with the
 * scene read from the store and never touches a Konva node; Konva is written
 * to, never read back, except for the view (zoom and pan) that lives here.
 */
import Konva from 'konva';
import { type Rect } from '../bbox.js';
import { fitView, zoomAt, type MaskOp } from '../mask-document.js';
import { activeTool, type CanvasTool } from '../tool-hotkeys.js';
import { BboxModule } from './BboxModule.js';
import { BrushModule } from './BrushModule.js';
import { ToolModule } from './ToolModule.js';

// Konva drags with the left button only by default; the middle button pans too.
Konva.dragButtons = [0, 1];

export interface CanvasCallbacks {
  strokeCommitted(op: MaskOp): void;
  bboxChangedFromCanvas(box: Rect): void;
  brushSizeStepped(direction: 1 | -1): void;
}

export interface CanvasScene {
  picture: HTMLImageElement;
  /** The mask tinted for display, at picture resolution. */
  mask: HTMLCanvasElement;
  /** Inpainting: the mask is shown and painted. */
  paintable: boolean;
  /** A staged result over its box (null: none, or hidden by the before/after switch). */
  staged: { image: HTMLImageElement; box: Rect } | null;
  bbox: Rect | null;
  selectedTool: CanvasTool;
  brush: { size: number; hardness: number; opacity: number };
  multiple: number;
  /** How far beyond the picture the box may go (inpainting: that part is outpainted). */
  outpaintRoom: number;
}

export class CanvasManager {
  readonly stage: Konva.Stage;
  private readonly pictureLayer = new Konva.Layer({ listening: false });
  private readonly maskLayer = new Konva.Layer({ listening: false });
  private readonly toolLayer = new Konva.Layer();
  private readonly pictureNode = new Konva.Image({ image: undefined });
  private readonly stagedNode = new Konva.Image({ image: undefined, visible: false });
  private readonly maskNode = new Konva.Image({ image: undefined });
  readonly brush: BrushModule;
  readonly bbox: BboxModule;
  readonly tools: ToolModule;
  private scene: CanvasScene | null = null;

  constructor(container: HTMLDivElement, callbacks: CanvasCallbacks) {
    this.stage = new Konva.Stage({
      container,
      width: container.clientWidth || 800,
      height: container.clientHeight || 460,
    });
    this.pictureLayer.add(this.pictureNode, this.stagedNode);
    this.maskLayer.add(this.maskNode);
    this.stage.add(this.pictureLayer, this.maskLayer, this.toolLayer);
    this.brush = new BrushModule(this.maskLayer, this.toolLayer, callbacks.strokeCommitted);
    this.bbox = new BboxModule(this.toolLayer, callbacks.bboxChangedFromCanvas);
    this.tools = new ToolModule(this, callbacks);
  }

  get view() {
    return { scale: this.stage.scaleX(), x: this.stage.x(), y: this.stage.y() };
  }

  private setView(v: { scale: number; x: number; y: number }): void {
    this.stage.setAttrs({ scaleX: v.scale, scaleY: v.scale, x: v.x, y: v.y });
    this.syncScale();
  }

  /** Strokes, outlines and handles keep their on-screen width at any zoom. */
  syncScale(): void {
    if (this.scene) this.sync(this.scene);
  }

  /** The tool acting now (what the user picked, unless Space is held or there is no mask to paint). */
  get activeTool(): CanvasTool {
    const s = this.scene;
    if (!s) return 'view';
    return activeTool({ selected: s.selectedTool, spaceHeld: this.tools.spaceHeld, paintable: s.paintable });
  }

  sync(scene: CanvasScene): void {
    const pictureChanged = this.scene?.picture !== scene.picture;
    this.scene = scene;
    const { picture } = scene;
    this.pictureNode.setAttrs({ image: picture, width: picture.naturalWidth, height: picture.naturalHeight });
    this.stagedNode.visible(scene.staged !== null);
    if (scene.staged) this.stagedNode.setAttrs({ image: scene.staged.image, ...scene.staged.box });
    this.maskNode.setAttrs({
      image: scene.mask,
      width: picture.naturalWidth,
      height: picture.naturalHeight,
      opacity: scene.brush.opacity,
      visible: scene.paintable && scene.staged === null,
    });
    const tool = this.activeTool;
    const scale = this.stage.scaleX();
    this.brush.sync({ tool: tool === 'eraser' ? 'eraser' : 'brush', ...scene.brush }, scale);
    this.bbox.sync(scene.bbox, {
      editable: tool === 'bbox',
      picture: { width: picture.naturalWidth, height: picture.naturalHeight },
      multiple: scene.multiple,
      room: scene.outpaintRoom,
      scale,
    });
    this.tools.toolChanged(tool);
    if (pictureChanged) this.fit();
    else this.stage.batchDraw();
  }

  /** The mask canvas was redrawn in place. */
  maskRedrawn(): void {
    this.maskLayer.batchDraw();
  }

  fit(): void {
    if (!this.scene) return;
    const { naturalWidth: width, naturalHeight: height } = this.scene.picture;
    this.setView(fitView({ width, height }, { width: this.stage.width(), height: this.stage.height() }));
  }

  /** Zoom about a point of the stage (the centre when none is given). */
  zoomBy(factor: number, about?: { x: number; y: number }): void {
    this.setView(zoomAt(this.view, about ?? { x: this.stage.width() / 2, y: this.stage.height() / 2 }, factor));
  }

  resize(width: number, height: number): void {
    this.stage.size({ width, height });
    this.fit();
  }

  destroy(): void {
    this.tools.destroy();
    this.brush.destroy();
    this.bbox.destroy();
    this.stage.destroy();
  }
}
