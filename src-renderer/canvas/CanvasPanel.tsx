/**
 * The img2img / inpainting workspace: the picture (file, drop, paste,
 * gallery), the mask and the bounding box on the canvas with their tools,
 * the staging area for results, and undo across all of it. The document is
 * the Generate draft (canvas-store.ts changes it); this panel holds only
 * tool settings.
 */
import { ActionIcon, Button, FileButton, Group, Paper, SegmentedControl, Stack, Text, Tooltip } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { forwardRef, useCallback, useEffect, useImperativeHandle, useMemo, useRef, useState } from 'react';
import { fileToBase64 } from '../generate/file-to-base64.js';
import { useDraft } from '../generate/draft.js';
import { TipIcon } from '../TipIcon.js';
import { beyondPicture, boxGenerationSize, isInside, snapBox, wholePicture, type Rect } from './bbox.js';
import {
  bboxChanged,
  bboxRefitted,
  canvasRedone,
  canvasUndone,
  maskOpAdded,
  stagedAccepted,
  stagedShown,
} from './canvas-store.js';
import { CanvasStage } from './CanvasStage.js';
import { cropPicture, maskPng, paintedIn } from './compose.js';
import { isBlank, nextBrushSize, type MaskOp } from './mask-document.js';
import { loadImage } from './mask-raster.js';
import { StagingBar } from './StagingBar.js';
import { BoxRow } from './BoxRow.js';
import { type Brush, BrushSettings } from './BrushSettings.js';
import { toolForKey, type CanvasTool } from './tool-hotkeys.js';

export interface InitImage {
  base64: string;
  url: string;
}

/** What a generation from the canvas sends: the picture (or the part under the box), its mask, and the box. */
export interface CanvasInputs {
  init: string;
  /** White = repaint, or null when nothing is painted. */
  mask: string | null;
  /** Where the results go back (the whole picture when there is no box). */
  box: Rect;
  /** Whether a box is set: then the generation's size is `size` (the box's, or scaled to the model). */
  boxed: boolean;
  size: { width: number; height: number };
}

/** What outpainting from the canvas needs of the page: the picture extended by the engine (or null: it said why). */
export type ExtendPicture = (
  pads: ReturnType<typeof beyondPicture>,
  bboxAfter: Rect,
) => Promise<{ image: string; mask: string } | null>;

/** How far beyond the picture the box may be dragged when inpainting (that part is outpainted). */
const OUTPAINT_ROOM = 256;

export interface CanvasPanelHandle {
  generationInputs(): Promise<CanvasInputs | null>;
}

function download(name: string, dataUrl: string) {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = name;
  a.click();
}

const TOOLS: { value: CanvasTool; label: string; painting?: boolean }[] = [
  { value: 'brush', label: 'Brush (B)', painting: true },
  { value: 'eraser', label: 'Eraser (E)', painting: true },
  { value: 'bbox', label: 'Box (C)' },
  { value: 'view', label: 'Hand (H)' },
];

export const CanvasPanel = forwardRef<
  CanvasPanelHandle,
  {
    paintable: boolean;
    /** The model's size multiple: the box's sides snap to it. */
    multiple: number;
    /** The model's native size (null: unknown): a scaled box is generated at its area. */
    nativeSize: number | null;
    onInitImage: (img: InitImage, size: { width: number; height: number }) => void;
    onExtend: ExtendPicture;
  }
>(function CanvasPanel({ paintable, multiple, nativeSize, onInitImage, onExtend }, ref) {
  const { initImage, mask: doc, bbox, bboxScaled, staging, history } = useDraft();
  const sizeOf = useCallback(
    (box: Rect) => boxGenerationSize(box, bboxScaled, nativeSize, multiple),
    [bboxScaled, nativeSize, multiple],
  );
  const [tool, setTool] = useState<CanvasTool>('brush');
  const [size, setSize] = useState(32);
  const [hardness, setHardness] = useState(0.8);
  const [opacity, setOpacity] = useState(0.5);
  const [image, setImage] = useState<HTMLImageElement | null>(null);
  const [stagedImage, setStagedImage] = useState<HTMLImageElement | null>(null);
  const [showAfter, setShowAfter] = useState(true);
  const [fitSignal, setFitSignal] = useState(0);
  const [zoomSignal, setZoomSignal] = useState({ factor: 1, n: 0 });
  const maskCanvas = useRef(document.createElement('canvas'));
  const picture = image ? { width: image.naturalWidth, height: image.naturalHeight } : null;

  useImperativeHandle(
    ref,
    () => ({
      generationInputs: async () => {
        if (!initImage || !picture) return null;
        // A box over the edge: inpainting extends the picture first (an undo step), img2img keeps to the picture.
        if (bbox && !isInside(bbox, picture) && paintable) {
          const pads = beyondPicture(bbox, picture);
          const box = { ...bbox, x: bbox.x + pads.left, y: bbox.y + pads.top };
          const extended = await onExtend(pads, box);
          if (!extended) return null;
          const size = sizeOf(box);
          return {
            init: await cropPicture(`data:image/png;base64,${extended.image}`, box, size),
            mask: await cropPicture(`data:image/png;base64,${extended.mask}`, box, size),
            box,
            boxed: true,
            size,
          };
        }
        const box = bbox ? snapBox(bbox, picture, multiple) : wholePicture(picture);
        const size = sizeOf(box);
        return {
          init: bbox ? await cropPicture(initImage.url, box, size) : initImage.base64,
          mask:
            paintable && !isBlank(doc) && (!bbox || paintedIn(maskCanvas.current, box))
              ? maskPng(maskCanvas.current, bbox ? box : undefined, bbox ? size : undefined)
              : null,
          box,
          boxed: bbox !== null,
          size,
        };
      },
    }),
    [initImage, picture, bbox, sizeOf, doc, paintable, multiple, onExtend],
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

  const shownPng = staging?.images[staging.index]?.png ?? null;
  useEffect(() => {
    if (!shownPng) return setStagedImage(null);
    let live = true;
    void loadImage(`data:image/png;base64,${shownPng}`).then((img) => live && setStagedImage(img));
    return () => {
      live = false;
    };
  }, [shownPng]);
  // New results are shown over their source at once.
  const stagedCount = staging?.images.length ?? 0;
  useEffect(() => {
    if (stagedCount > 0) setShowAfter(true);
  }, [stagedCount]);

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

  // Another model may have another size multiple: the box follows it.
  const pictureWidth = picture?.width;
  const pictureHeight = picture?.height;
  useEffect(() => {
    if (pictureWidth && pictureHeight)
      bboxRefitted({ width: pictureWidth, height: pictureHeight }, multiple, OUTPAINT_ROOM);
  }, [pictureWidth, pictureHeight, multiple]);

  /** A mask change shows the mask over its source again (a result shown "after" would hide it). */
  const paint = (op: MaskOp) => {
    maskOpAdded(op);
    setShowAfter(false);
  };
  const pickTool = (t: CanvasTool) => {
    setTool(t);
    // The box tool on a canvas without a box starts from the whole picture.
    if (t === 'bbox' && !bbox && picture) bboxChanged(snapBox(wholePicture(picture), picture, multiple));
  };
  const toolKeys = ['b', 'e', 'c', 'h'].map(
    (k) =>
      [
        k,
        () => {
          const t = toolForKey(k, paintable);
          if (t) pickTool(t);
        },
      ] as [string, () => void],
  );
  useHotkeys(
    image
      ? [
          ...toolKeys,
          ['[', () => setSize((s) => nextBrushSize(s, -1))],
          [']', () => setSize((s) => nextBrushSize(s, 1))],
          ['mod+z', canvasUndone],
          ['mod+shift+z', canvasRedone],
          ['=', () => setZoomSignal((z) => ({ factor: 1.25, n: z.n + 1 }))],
          ['-', () => setZoomSignal((z) => ({ factor: 0.8, n: z.n + 1 }))],
          ['0', () => setFitSignal((n) => n + 1)],
        ]
      : [],
  );

  // The staging area: step through the results and accept one, as InvokeAI does. Not while a button has the
  // focus: Enter there presses the button (Generate again), and arrows belong to fields and sliders.
  useHotkeys(
    staging
      ? [
          ['ArrowLeft', () => stagedShown(staging.index - 1)],
          ['ArrowRight', () => stagedShown(staging.index + 1)],
          ['Enter', () => void stagedAccepted()],
        ]
      : [],
    ['INPUT', 'TEXTAREA', 'SELECT', 'BUTTON'],
  );

  const loadMask = async (file: File | null) => {
    if (!file || !image) return;
    paint({ type: 'image', dataUrl: `data:${file.type};base64,${await fileToBase64(file)}` });
  };
  const brush = useMemo(() => ({ size, hardness, opacity }), [size, hardness, opacity]);
  const setBrushSetting = (key: keyof Brush, v: number) =>
    ({ size: setSize, hardness: setHardness, opacity: setOpacity })[key](v);
  const staged = useMemo(
    () => (staging && stagedImage && showAfter ? { image: stagedImage, box: staging.box } : null),
    [staging, stagedImage, showAfter],
  );

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
          <SegmentedControl
            size="xs"
            aria-label="Canvas tool"
            value={!paintable && (tool === 'brush' || tool === 'eraser') ? 'view' : tool}
            onChange={(v) => pickTool(v as CanvasTool)}
            data={TOOLS.filter((t) => paintable || !t.painting)}
            data-testid="tool-control"
          />
          <TipIcon
            tip="Undo (Ctrl+Z)"
            label="Undo"
            disabled={history.past.length === 0}
            onClick={canvasUndone}
            testId="undo-button"
          >
            ↶
          </TipIcon>
          <TipIcon
            tip="Redo (Ctrl+Shift+Z)"
            label="Redo"
            disabled={history.future.length === 0}
            onClick={canvasRedone}
            testId="redo-button"
          >
            ↷
          </TipIcon>
          {paintable && (
            <>
              <Button size="xs" variant="default" onClick={() => paint({ type: 'invert' })}>
                Invert
              </Button>
              <Button size="xs" variant="default" onClick={() => paint({ type: 'fill' })}>
                Fill
              </Button>
              <Button size="xs" variant="default" onClick={() => paint({ type: 'clear' })} data-testid="clear-mask">
                Clear
              </Button>
              <Button
                size="xs"
                variant="default"
                disabled={!image}
                onClick={() => download('mask.png', `data:image/png;base64,${maskPng(maskCanvas.current)}`)}
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
        </Group>
        {image && picture && (
          <BoxRow
            bbox={bbox}
            picture={picture}
            outpaints={paintable && !!bbox && !isInside(bbox, picture)}
            madeAt={bbox ? sizeOf(bbox) : null}
            scaled={bboxScaled}
            canScale={!!nativeSize}
          />
        )}
        {paintable && <BrushSettings brush={brush} onBrush={setBrushSetting} />}
        {staging && <StagingBar staging={staging} showAfter={showAfter} onShowAfter={setShowAfter} />}
        {/* biome-ignore lint/a11y/noStaticElementInteractions: a drop target; the file button beside it is the keyboard path */}
        <div
          onDragOver={(e) => e.preventDefault()}
          onDrop={(e) => {
            e.preventDefault();
            void takeFile(e.dataTransfer.files[0]);
          }}
        >
          {image && picture ? (
            <CanvasStage
              picture={image}
              maskDoc={doc}
              maskCanvas={maskCanvas.current}
              paintable={paintable}
              staged={staged}
              bbox={bbox}
              selectedTool={tool}
              brush={brush}
              multiple={multiple}
              outpaintRoom={paintable ? OUTPAINT_ROOM : 0}
              strokeCommitted={paint}
              bboxChangedFromCanvas={bboxChanged}
              brushSizeStepped={(d) => setSize((s) => nextBrushSize(s, d))}
              fitSignal={fitSignal}
              zoomSignal={zoomSignal}
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
