/**
 * Mounts the canvas (konva/CanvasManager) in the page and keeps it in step
 * with the store: React reads the document and the tool settings and hands
 * them to the manager as one scene; it never touches a Konva node. The mask
 * is replayed from its operations onto a canvas at picture resolution, which
 * is also what Generate sends.
 */
import { useEffect, useRef, useState } from 'react';
import type { Rect } from './bbox.js';
import { CanvasManager, type CanvasCallbacks, type CanvasScene } from './konva/CanvasManager.js';
import type { MaskDocument } from './mask-document.js';
import { renderMask, tintMask } from './mask-raster.js';

export interface CanvasStageProps extends Omit<CanvasScene, 'mask'>, CanvasCallbacks {
  maskDoc: MaskDocument;
  /** The raster mask at picture resolution, kept in step for export. */
  maskCanvas: HTMLCanvasElement;
  fitSignal: number;
  zoomSignal: { factor: number; n: number };
  height: number;
}

export function CanvasStage(props: CanvasStageProps) {
  const container = useRef<HTMLDivElement>(null);
  const [manager, setManager] = useState<CanvasManager | null>(null);
  const [tinted] = useState(() => document.createElement('canvas'));
  // The callbacks change identity with every render; the manager calls the latest.
  const latest = useRef(props);
  latest.current = props;

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const m = new CanvasManager(el, {
      strokeCommitted: (op) => latest.current.strokeCommitted(op),
      bboxChangedFromCanvas: (box: Rect) => latest.current.bboxChangedFromCanvas(box),
      brushSizeStepped: (d) => latest.current.brushSizeStepped(d),
    });
    const ro = new ResizeObserver(() => m.resize(el.clientWidth, el.clientHeight));
    ro.observe(el);
    setManager(m);
    return () => {
      ro.disconnect();
      m.destroy();
      setManager(null);
    };
  }, []);

  const { picture, paintable, staged, bbox, selectedTool, brush, multiple, outpaintRoom, maskDoc, maskCanvas } = props;
  useEffect(() => {
    manager?.sync({ picture, mask: tinted, paintable, staged, bbox, selectedTool, brush, multiple, outpaintRoom });
  }, [manager, picture, tinted, paintable, staged, bbox, selectedTool, brush, multiple, outpaintRoom]);

  useEffect(() => {
    let live = true;
    void renderMask(maskCanvas, maskDoc).then(() => {
      if (!live) return;
      tintMask(maskCanvas, tinted, '#ff3b6b');
      manager?.maskRedrawn();
    });
    return () => {
      live = false;
    };
  }, [maskDoc, maskCanvas, tinted, manager]);

  useEffect(() => {
    if (props.fitSignal > 0) manager?.fit();
  }, [manager, props.fitSignal]);
  useEffect(() => {
    if (props.zoomSignal.n > 0) manager?.zoomBy(props.zoomSignal.factor);
  }, [manager, props.zoomSignal]);

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: only stops the middle-button autoscroll; the stage handles input
    <div
      ref={container}
      data-testid="mask-editor"
      style={{
        width: '100%',
        height: props.height,
        background: 'repeating-conic-gradient(#2a2a2e 0% 25%, #333338 0% 50%) 50% / 24px 24px',
        borderRadius: 8,
        overflow: 'hidden',
      }}
      onMouseDown={(e) => e.button === 1 && e.preventDefault()}
    />
  );
}
