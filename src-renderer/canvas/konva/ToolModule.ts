/**
 * Routes the stage's pointer, wheel and key events to the tool acting now:
 * brush and eraser paint, the box tool moves and resizes the box (its own
 * nodes take those events), the view tool and the middle button pan. Which
 * tool acts is decided by tool-hotkeys.ts.
 */
import type Konva from 'konva';
import { cursorFor, typingIn, type CanvasTool } from '../tool-hotkeys.js';
import type { CanvasCallbacks, CanvasManager } from './CanvasManager.js';

export class ToolModule {
  readonly type = 'tool';
  spaceHeld = false;
  private tool: CanvasTool = 'view';
  private panning = false;
  private readonly unsubscribe: (() => void)[] = [];

  constructor(
    private readonly manager: CanvasManager,
    private readonly callbacks: CanvasCallbacks,
  ) {
    const stage = manager.stage;
    stage.on('pointerdown', (e) => this.pointerDown(e));
    stage.on('pointermove', () => this.pointerMove());
    stage.on('pointerup', () => manager.brush.end());
    stage.on('pointerleave', () => {
      manager.brush.end();
      manager.brush.hover(null);
      manager.stage.batchDraw();
    });
    stage.on('wheel', (e) => this.wheel(e));
    stage.on('dragstart', (e) => e.target === stage && this.setPanning(true));
    stage.on('dragend', (e) => {
      if (e.target !== stage) return;
      this.setPanning(false);
      stage.draggable(this.tool === 'view');
      manager.syncScale();
    });
    const key = (down: boolean) => (e: KeyboardEvent) => {
      if (e.code !== 'Space' || (down && typingIn(e.target))) return;
      if (this.spaceHeld === down) return;
      this.spaceHeld = down;
      manager.syncScale();
    };
    const down = key(true);
    const up = key(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    this.unsubscribe.push(() => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    });
  }

  toolChanged(tool: CanvasTool): void {
    this.tool = tool;
    if (!this.panning) this.manager.stage.draggable(tool === 'view');
    this.manager.stage.container().style.cursor = cursorFor(tool, this.panning);
    if (tool !== 'brush' && tool !== 'eraser') this.manager.brush.hover(null);
  }

  private setPanning(on: boolean): void {
    this.panning = on;
    this.manager.stage.container().style.cursor = cursorFor(on ? 'view' : this.tool, on);
  }

  private pointerDown(e: Konva.KonvaEventObject<PointerEvent>): void {
    const stage = this.manager.stage;
    if (e.evt.button === 1) {
      // The middle button pans whatever the tool.
      e.evt.preventDefault();
      stage.draggable(true);
      stage.startDrag();
      return;
    }
    if (e.evt.button !== 0 || (this.tool !== 'brush' && this.tool !== 'eraser')) return;
    const at = stage.getRelativePointerPosition();
    if (at) this.manager.brush.begin(at);
  }

  private pointerMove(): void {
    if (this.tool !== 'brush' && this.tool !== 'eraser') return;
    this.manager.brush.hover(this.manager.stage.getRelativePointerPosition());
    this.manager.stage.batchDraw();
  }

  private wheel(e: Konva.KonvaEventObject<WheelEvent>): void {
    e.evt.preventDefault();
    // Shift+wheel sizes the brush; the wheel zooms about the pointer.
    if (e.evt.shiftKey) {
      this.callbacks.brushSizeStepped(e.evt.deltaY < 0 ? 1 : -1);
      return;
    }
    const pointer = this.manager.stage.getPointerPosition();
    if (pointer) this.manager.zoomBy(e.evt.deltaY < 0 ? 1.1 : 1 / 1.1, pointer);
  }

  destroy(): void {
    for (const off of this.unsubscribe) off();
    this.manager.stage.off('pointerdown pointermove pointerup pointerleave wheel dragstart dragend');
  }
}
