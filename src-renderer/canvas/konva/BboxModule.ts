/**
 * The bounding box on the stage: an outline with its size above it, moved
 * and resized with the box tool. Konva's node is only the view: at the end
 * of a drag the box is snapped (model multiple, inside the picture) and
 * handed to the store, whose value comes back through sync().
 */
import Konva from 'konva';
import { boxLabel, snapBox, type Rect } from '../bbox.js';

export class BboxModule {
  readonly type = 'bbox';
  private readonly rect = new Konva.Rect({ stroke: '#4dabf7', fillEnabled: true, fill: 'rgba(77,171,247,0.06)' });
  private readonly label = new Konva.Text({ fill: '#fff', listening: false, fontFamily: 'sans-serif' });
  private readonly transformer = new Konva.Transformer({
    rotateEnabled: false,
    flipEnabled: false,
    keepRatio: false,
    ignoreStroke: true,
    anchorSize: 8,
    borderStroke: '#4dabf7',
    anchorStroke: '#4dabf7',
  });
  private picture = { width: 0, height: 0 };
  private multiple = 8;
  private room = 0;
  private scale = 1;

  constructor(
    layer: Konva.Layer,
    private readonly changed: (box: Rect) => void,
  ) {
    layer.add(this.rect, this.label, this.transformer);
    this.transformer.nodes([this.rect]);
    const live = () => this.showLabel(this.nodeBox());
    this.rect.on('dragmove transform', live);
    this.rect.on('dragend transformend', () => {
      const box = snapBox(this.nodeBox(), this.picture, this.multiple, this.room);
      // Shown snapped at once: a drag that snaps back to where the box was changes nothing in the store,
      // so no sync would come to put the node back.
      this.rect.setAttrs({ ...box, scaleX: 1, scaleY: 1 });
      this.showLabel(box);
      this.transformer.forceUpdate();
      this.changed(box);
    });
  }

  /** The box as the node now stands (a transform scales the node; the box is its scaled size). */
  private nodeBox(): Rect {
    return {
      x: this.rect.x(),
      y: this.rect.y(),
      width: this.rect.width() * this.rect.scaleX(),
      height: this.rect.height() * this.rect.scaleY(),
    };
  }

  private showLabel(box: Rect): void {
    this.label.setAttrs({
      text: boxLabel(snapBox(box, this.picture, this.multiple, this.room)),
      x: box.x,
      y: box.y - 16 / this.scale,
      fontSize: 12 / this.scale,
    });
  }

  sync(
    box: Rect | null,
    opts: {
      editable: boolean;
      picture: { width: number; height: number };
      multiple: number;
      /** How far beyond the picture the box may go. */
      room: number;
      scale: number;
    },
  ): void {
    this.picture = opts.picture;
    this.multiple = opts.multiple;
    this.scale = opts.scale;
    this.room = opts.room;
    const shown = box !== null;
    this.rect.visible(shown);
    this.label.visible(shown);
    this.transformer.visible(shown && opts.editable);
    this.rect.setAttrs({ draggable: opts.editable, listening: opts.editable, strokeWidth: 2 / opts.scale });
    if (!box) return;
    this.rect.setAttrs({ ...box, scaleX: 1, scaleY: 1 });
    this.showLabel(box);
    this.transformer.forceUpdate();
  }

  destroy(): void {
    this.transformer.destroy();
    this.rect.destroy();
    this.label.destroy();
  }
}
