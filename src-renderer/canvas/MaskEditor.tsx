/**
 * The canvas at the centre of img2img and inpainting: the init image with the
 * mask painted over it (react-konva). Zoom with the wheel or +/-, pan with
 * space-drag or the middle button, paint with the brush, erase with the
 * eraser. A stroke lives in a buffer line while drawn and becomes one
 * document operation on pointer-up.
 */
import type Konva from 'konva';
import { useCallback, useEffect, useRef, useState } from 'react';
import { Circle, Image as KImage, Layer, Line, Stage } from 'react-konva';
import { fitView, opAdded, zoomAt, type MaskDocument, type MaskTool } from './mask-document.js';
import { renderMask, tintMask } from './mask-raster.js';

export interface MaskEditorProps {
  image: HTMLImageElement;
  doc: MaskDocument;
  onDocChange: (doc: MaskDocument) => void;
  /** The raster mask at image resolution, kept in sync for export. */
  maskCanvas: HTMLCanvasElement;
  tool: MaskTool;
  size: number;
  hardness: number;
  opacity: number;
  /** Whether the mask layer is shown and paintable (inpaint) or the image only (img2img). */
  paintable: boolean;
  /** A result shown over the source (before/after). */
  overlay: HTMLImageElement | null;
  fitSignal: number;
  zoomSignal: { factor: number; n: number };
  onSizeWheel: (direction: 1 | -1) => void;
  height: number;
}

export function MaskEditor(props: MaskEditorProps) {
  const {
    image,
    doc,
    onDocChange,
    maskCanvas,
    tool,
    size,
    hardness,
    opacity,
    paintable,
    overlay,
    fitSignal,
    zoomSignal,
    onSizeWheel,
    height,
  } = props;
  const container = useRef<HTMLDivElement>(null);
  const stageRef = useRef<Konva.Stage>(null);
  const [width, setWidth] = useState(800);
  const [view, setView] = useState({ scale: 1, x: 0, y: 0 });
  const [stroke, setStroke] = useState<number[] | null>(null);
  const [cursor, setCursor] = useState<{ x: number; y: number } | null>(null);
  const [spaceDown, setSpaceDown] = useState(false);
  const [tinted] = useState(() => document.createElement('canvas'));
  const [, setVersion] = useState(0);

  useEffect(() => {
    const el = container.current;
    if (!el) return;
    const ro = new ResizeObserver(() => setWidth(el.clientWidth));
    ro.observe(el);
    setWidth(el.clientWidth);
    return () => ro.disconnect();
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: fitSignal is the "fit to view" trigger
  useEffect(() => setView(fitView(image, { width, height })), [image, width, height, fitSignal]);
  useEffect(() => {
    if (zoomSignal.n > 0) setView((v) => zoomAt(v, { x: width / 2, y: height / 2 }, zoomSignal.factor));
  }, [zoomSignal, width, height]);

  useEffect(() => {
    let live = true;
    void renderMask(maskCanvas, doc).then(() => {
      if (!live) return;
      tintMask(maskCanvas, tinted, '#ff3b6b');
      setVersion((v) => v + 1);
      stageRef.current?.batchDraw();
    });
    return () => {
      live = false;
    };
  }, [doc, maskCanvas, tinted]);

  useEffect(() => {
    const down = (e: KeyboardEvent) =>
      e.code === 'Space' &&
      !(e.target instanceof HTMLInputElement || e.target instanceof HTMLTextAreaElement) &&
      setSpaceDown(true);
    const up = (e: KeyboardEvent) => e.code === 'Space' && setSpaceDown(false);
    window.addEventListener('keydown', down);
    window.addEventListener('keyup', up);
    return () => {
      window.removeEventListener('keydown', down);
      window.removeEventListener('keyup', up);
    };
  }, []);

  const toImage = useCallback(
    (p: { x: number; y: number }) => ({ x: (p.x - view.x) / view.scale, y: (p.y - view.y) / view.scale }),
    [view],
  );

  const onWheel = (e: Konva.KonvaEventObject<WheelEvent>) => {
    e.evt.preventDefault();
    if (e.evt.shiftKey) return onSizeWheel(e.evt.deltaY < 0 ? 1 : -1);
    const pointer = stageRef.current?.getPointerPosition();
    if (pointer) setView((v) => zoomAt(v, pointer, e.evt.deltaY < 0 ? 1.1 : 1 / 1.1));
  };

  const panning = spaceDown || !paintable;
  const onPointerDown = (e: Konva.KonvaEventObject<PointerEvent>) => {
    if (panning || e.evt.button !== 0) return;
    const p = stageRef.current?.getPointerPosition();
    if (!p) return;
    const q = toImage(p);
    setStroke([q.x, q.y]);
  };
  const onPointerMove = () => {
    const p = stageRef.current?.getPointerPosition();
    if (!p) return;
    setCursor(p);
    if (!stroke) return;
    const q = toImage(p);
    setStroke((s) => (s ? [...s, q.x, q.y] : s));
  };
  const finish = () => {
    if (!stroke) return;
    onDocChange(opAdded(doc, { type: 'stroke', tool, size, hardness, points: stroke }));
    setStroke(null);
  };

  return (
    // biome-ignore lint/a11y/noStaticElementInteractions: only stops the middle-button autoscroll; the stage handles input
    <div
      ref={container}
      data-testid="mask-editor"
      style={{
        width: '100%',
        height,
        background: 'repeating-conic-gradient(#2a2a2e 0% 25%, #333338 0% 50%) 50% / 24px 24px',
        borderRadius: 8,
        overflow: 'hidden',
        cursor: panning ? 'grab' : 'none',
      }}
      onMouseDown={(e) => e.button === 1 && e.preventDefault()}
    >
      <Stage
        ref={stageRef}
        width={width}
        height={height}
        draggable={panning}
        x={view.x}
        y={view.y}
        scaleX={view.scale}
        scaleY={view.scale}
        onDragEnd={(e) => e.target === stageRef.current && setView((v) => ({ ...v, x: e.target.x(), y: e.target.y() }))}
        onWheel={onWheel}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={finish}
        onPointerLeave={() => {
          finish();
          setCursor(null);
        }}
      >
        <Layer listening={false}>
          <KImage image={image} width={image.width} height={image.height} />
          {overlay && <KImage image={overlay} width={image.width} height={image.height} />}
          {paintable && !overlay && (
            <KImage image={tinted} width={image.width} height={image.height} opacity={opacity} />
          )}
          {paintable && stroke && (
            <Line
              points={stroke}
              stroke={tool === 'eraser' ? '#9ad0ff' : '#ff3b6b'}
              strokeWidth={size}
              lineCap="round"
              lineJoin="round"
              opacity={opacity}
              dash={tool === 'eraser' ? [size / 2, size / 2] : undefined}
            />
          )}
          {paintable && cursor && !panning && (
            <Circle
              x={toImage(cursor).x}
              y={toImage(cursor).y}
              radius={size / 2}
              stroke="#fff"
              strokeWidth={1 / view.scale}
              dash={[4 / view.scale, 4 / view.scale]}
            />
          )}
        </Layer>
      </Stage>
    </div>
  );
}
