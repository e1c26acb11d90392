/**
 * The img2img / inpainting workspace: init image (file, drop, paste, gallery),
 * the mask editor with its tools, and the before/after view of a result.
 */
import {
  ActionIcon,
  Button,
  FileButton,
  Group,
  Paper,
  SegmentedControl,
  Slider,
  Stack,
  Switch,
  Text,
  Tooltip,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { TipIcon } from '../TipIcon.js';
import { forwardRef, useCallback, useEffect, useImperativeHandle, useRef, useState } from 'react';
import { MaskEditor } from './MaskEditor.js';
import {
  canRedo,
  canUndo,
  isBlank,
  nextBrushSize,
  opAdded,
  redone,
  undone,
  type MaskDocument,
  type MaskTool,
} from './mask-document.js';
import { loadImage, maskToPngBase64 } from './mask-raster.js';
import { fileToBase64 } from '../generate/file-to-base64.js';

export interface CanvasPanelHandle {
  /** The mask as PNG base64 (white = repaint), or null when nothing is painted. */
  maskPng(): string | null;
  maskDoc(): MaskDocument;
}

export interface InitImage {
  base64: string;
  url: string;
}

function download(name: string, dataUrl: string) {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = name;
  a.click();
}

export const CanvasPanel = forwardRef<
  CanvasPanelHandle,
  {
    paintable: boolean;
    initImage: InitImage | null;
    onInitImage: (img: InitImage, size: { width: number; height: number }) => void;
    result: string | null;
    /** The mask and its undo history belong to the page's draft: they outlive this panel. */
    mask: MaskDocument;
    onMask: (doc: MaskDocument) => void;
  }
>(function CanvasPanel({ paintable, initImage, onInitImage, result, mask: doc, onMask }, ref) {
  const latestDoc = useRef(doc);
  latestDoc.current = doc;
  const setDoc = useCallback(
    (next: MaskDocument | ((d: MaskDocument) => MaskDocument)) => {
      onMask(typeof next === 'function' ? next(latestDoc.current) : next);
      // Editing the mask shows it over its source again (a result shown "after" would hide it).
      setShowAfter(false);
    },
    [onMask],
  );
  const [tool, setTool] = useState<MaskTool>('brush');
  const [size, setSize] = useState(32);
  const [hardness, setHardness] = useState(0.8);
  const [opacity, setOpacity] = useState(0.5);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [overlay, setOverlay] = useState<HTMLImageElement | null>(null);
  const [showAfter, setShowAfter] = useState(true);
  const [fitSignal, setFitSignal] = useState(0);
  const [zoomSignal, setZoomSignal] = useState({ factor: 1, n: 0 });
  const maskCanvas = useRef(document.createElement('canvas'));

  useImperativeHandle(
    ref,
    () => ({
      maskPng: () => (isBlank(doc) ? null : maskToPngBase64(maskCanvas.current)),
      maskDoc: () => doc,
    }),
    [doc],
  );

  useEffect(() => {
    if (!initImage) return setImage(null);
    let live = true;
    void loadImage(initImage.url).then(
      (img) => {
        if (!live) return;
        maskCanvas.current.width = img.naturalWidth;
        maskCanvas.current.height = img.naturalHeight;
        setImage(img);
      },
      () => notifications.show({ color: 'red', message: 'That image could not be opened' }),
    );
    return () => {
      live = false;
    };
  }, [initImage]);

  useEffect(() => {
    if (!result) return setOverlay(null);
    void loadImage(result).then((img) => {
      setOverlay(img);
      setShowAfter(true);
    });
  }, [result]);

  const takeFile = useCallback(
    async (file: Blob | null | undefined) => {
      if (!file || !/^image\/(png|jpeg|webp)$/.test(file.type)) return;
      const base64 = await fileToBase64(file);
      const url = `data:${file.type};base64,${base64}`;
      const img = await loadImage(url);
      onInitImage({ base64, url }, { width: img.naturalWidth, height: img.naturalHeight });
    },
    [onInitImage],
  );

  // Clipboard paste of an image.
  useEffect(() => {
    const onPaste = (e: ClipboardEvent) => {
      const item = [...(e.clipboardData?.items ?? [])].find((i) => i.type.startsWith('image/'));
      if (item) void takeFile(item.getAsFile());
    };
    window.addEventListener('paste', onPaste);
    return () => window.removeEventListener('paste', onPaste);
  }, [takeFile]);

  const change = (next: MaskDocument) => setDoc(next);
  useHotkeys(
    paintable
      ? [
          ['b', () => setTool('brush')],
          ['e', () => setTool('eraser')],
          ['[', () => setSize((s) => nextBrushSize(s, -1))],
          [']', () => setSize((s) => nextBrushSize(s, 1))],
          ['mod+z', () => setDoc((d) => undone(d))],
          ['mod+shift+z', () => setDoc((d) => redone(d))],
          ['=', () => setZoomSignal((z) => ({ factor: 1.25, n: z.n + 1 }))],
          ['-', () => setZoomSignal((z) => ({ factor: 0.8, n: z.n + 1 }))],
          ['0', () => setFitSignal((n) => n + 1)],
        ]
      : [],
  );

  const loadMask = async (file: File | null) => {
    if (!file || !image) return;
    const url = `data:${file.type};base64,${await fileToBase64(file)}`;
    setDoc((d) => opAdded(d, { type: 'image', dataUrl: url }));
  };

  return (
    <Paper withBorder p="sm" data-testid="canvas-panel">
      <Stack gap="xs">
        <Group gap="xs" wrap="wrap">
          <FileButton accept="image/png,image/jpeg,image/webp" onChange={(f) => void takeFile(f)}>
            {(p) => (
              <Button size="xs" variant="light" {...p} data-testid="init-image-button">
                Open image
              </Button>
            )}
          </FileButton>
          {paintable && (
            <>
              <SegmentedControl
                size="xs"
                aria-label="Mask tool"
                value={tool}
                onChange={(v) => setTool(v as MaskTool)}
                data={[
                  { value: 'brush', label: 'Brush (B)' },
                  { value: 'eraser', label: 'Eraser (E)' },
                ]}
                data-testid="tool-control"
              />
              <TipIcon
                tip="Undo (Ctrl+Z)"
                label="Undo"
                disabled={!canUndo(doc)}
                onClick={() => change(undone(doc))}
                testId="undo-button"
              >
                ↶
              </TipIcon>
              <TipIcon
                tip="Redo (Ctrl+Shift+Z)"
                label="Redo"
                disabled={!canRedo(doc)}
                onClick={() => change(redone(doc))}
                testId="redo-button"
              >
                ↷
              </TipIcon>
              <Button size="xs" variant="default" onClick={() => change(opAdded(doc, { type: 'invert' }))}>
                Invert
              </Button>
              <Button size="xs" variant="default" onClick={() => change(opAdded(doc, { type: 'fill' }))}>
                Fill
              </Button>
              <Button
                size="xs"
                variant="default"
                onClick={() => change(opAdded(doc, { type: 'clear' }))}
                data-testid="clear-mask"
              >
                Clear
              </Button>
              <Button
                size="xs"
                variant="default"
                disabled={!image}
                onClick={() => download('mask.png', `data:image/png;base64,${maskToPngBase64(maskCanvas.current)}`)}
              >
                Save mask
              </Button>
              <FileButton accept="image/png" onChange={(f) => void loadMask(f)}>
                {(p) => (
                  <Button size="xs" variant="default" disabled={!image} {...p}>
                    Load mask
                  </Button>
                )}
              </FileButton>
            </>
          )}
          <Tooltip label="Zoom in (+)">
            <ActionIcon
              variant="default"
              aria-label="Zoom in"
              onClick={() => setZoomSignal((z) => ({ factor: 1.25, n: z.n + 1 }))}
            >
              +
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Zoom out (-)">
            <ActionIcon
              variant="default"
              aria-label="Zoom out"
              onClick={() => setZoomSignal((z) => ({ factor: 0.8, n: z.n + 1 }))}
            >
              −
            </ActionIcon>
          </Tooltip>
          <Tooltip label="Fit (0)">
            <ActionIcon variant="default" aria-label="Fit to view" onClick={() => setFitSignal((n) => n + 1)}>
              ⤢
            </ActionIcon>
          </Tooltip>
          {overlay && (
            <Switch
              size="xs"
              label="After"
              checked={showAfter}
              onChange={(e) => setShowAfter(e.currentTarget.checked)}
              data-testid="before-after"
            />
          )}
        </Group>
        {paintable && (
          <Group grow>
            <div>
              <Text size="xs" id="brush-size">
                Brush size {size}px ([ ])
              </Text>
              <Slider
                aria-labelledby="brush-size"
                min={1}
                max={256}
                value={size}
                onChange={setSize}
                data-testid="brush-size"
              />
            </div>
            <div>
              <Text size="xs" id="brush-hardness">
                Hardness {Math.round(hardness * 100)}%
              </Text>
              <Slider
                aria-labelledby="brush-hardness"
                min={0}
                max={1}
                step={0.05}
                value={hardness}
                onChange={setHardness}
              />
            </div>
            <div>
              <Text size="xs" id="mask-opacity">
                Mask opacity {Math.round(opacity * 100)}%
              </Text>
              <Slider
                aria-labelledby="mask-opacity"
                min={0.1}
                max={1}
                step={0.05}
                value={opacity}
                onChange={setOpacity}
              />
            </div>
          </Group>
        )}
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the file button beside it is the keyboard path */}
        <div
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            void takeFile(e.dataTransfer.files[0]);
          }}
        >
          {image ? (
            <MaskEditor
              image={image}
              doc={doc}
              onDocChange={change}
              maskCanvas={maskCanvas.current}
              tool={tool}
              size={size}
              hardness={hardness}
              opacity={opacity}
              paintable={paintable}
              overlay={showAfter ? overlay : null}
              fitSignal={fitSignal}
              zoomSignal={zoomSignal}
              onSizeWheel={(d) => setSize((s) => nextBrushSize(s, d))}
              height={460}
            />
          ) : (
            <Paper h={200} withBorder style={{ display: 'grid', placeItems: 'center', borderStyle: 'dashed' }}>
              <Text c="dimmed" size="sm">
                Open, drop or paste an image, or pick one in the Gallery (Use as init image)
              </Text>
            </Paper>
          )}
        </div>
      </Stack>
    </Paper>
  );
});
