import {
  Alert,
  Badge,
  Button,
  Grid,
  Group,
  Image,
  Kbd,
  NumberInput,
  Paper,
  Progress,
  SegmentedControl,
  Select,
  Slider,
  Stack,
  Text,
  TextInput,
  Title,
  Tooltip,
  ActionIcon,
} from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useMemo, useRef, useState } from 'react';
import { CanvasPanel, type CanvasPanelHandle } from '../canvas/CanvasPanel.js';
import { canvasJobQueued, jobFinished, pictureExtended } from '../canvas/canvas-store.js';
import { boxGenerationSize, type Rect } from '../canvas/bbox.js';
import { ExtendCanvas, type Pads } from '../canvas/ExtendCanvas.js';
import { type GenerationMode } from '../../src-shared/domain/generation.js';
import type { RngMode } from '../../src-shared/domain/settings.js';
import type { GenerationRequest, JobDone } from '../../src-shared/domain/engine.js';
import { client } from '../api/client.js';
import { useCall } from '../api/use-call.js';
import { TipIcon } from '../TipIcon.js';
import { isMyJob, type SessionImage, useJob } from '../generate/use-job.js';
import { draftSetter, newCanvas, openInGallery, updateDraft, useDraft } from '../generate/draft.js';
import { NetworkPicker } from '../generate/NetworkPicker.js';
import { SamplerPicker } from '../generate/SamplerPicker.js';
import { StylePicker } from '../generate/StylePicker.js';
import { PromptHistory } from '../generate/PromptHistory.js';
import { applyStyles } from '../../src-shared/domain/styles.js';
import { SizeConditioningFields } from '../generate/SizeConditioningFields.js';
import { HiresFields } from '../generate/HiresFields.js';
import { PlotPanel, type PlotAxes } from '../generate/PlotPanel.js';
import { samplerFamily } from '../../src-shared/domain/samplers.js';
import { PromptField } from '../generate/PromptField.js';
import { QueuePanel } from '../generate/QueuePanel.js';

const SIZE_PRESETS = ['128x128', '256x256', '512x512', '512x768', '768x512', '768x768', '1024x1024'];

function formatMs(ms: number | null): string {
  if (ms === null) return '-';
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** The nearest multiple within the engine's 64..2048. */
function snapSize(v: number, multiple: number): number {
  if (!Number.isFinite(v)) return 512;
  const snapped = Math.round(v / multiple) * multiple;
  return Math.min(Math.floor(2048 / multiple) * multiple, Math.max(Math.ceil(64 / multiple) * multiple, snapped));
}

/**
 * Escape cancels the running job only when nothing else takes it: in a text
 * field it leaves the field, and it closes a dropdown, a menu or a dialog
 * first.
 */
function useEscapeToCancel(cancel: () => unknown) {
  const latest = useRef(cancel);
  latest.current = cancel;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (e.key !== 'Escape' || e.defaultPrevented) return;
      const target = e.target instanceof HTMLElement ? e.target : null;
      // In a text field Escape only leaves the field (a second Escape cancels).
      if (target?.closest('input, textarea, select, [contenteditable="true"]')) return target.blur();
      if (target?.closest('[role="dialog"], [role="listbox"], [role="menu"]')) return;
      void latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/** The saved styles named, in the order picked (none asked: no call). */
async function stylesFor(names: readonly string[]) {
  if (names.length === 0) return [];
  const { styles } = await client.invoke('styles.list', {});
  return names.flatMap((n) => styles.filter((s) => s.name === n));
}

export function GeneratePage() {
  const models = useCall('models.list', {});
  const settings = useCall('settings.get', {});
  const { state, start, adopt, cancel, move, running, runningMine } = useJob();

  // The page's document lives in the draft store: it survives page switches and reloads.
  const draft = useDraft();
  const { model, prompt, sampler, steps, width, height, seedText, rng, mode, strength, initImage, parentId } = draft;
  const negative = draft.negativePrompt;
  const cfg = draft.cfgScale;
  const batch = draft.batchCount;
  const setPrompt = draftSetter('prompt');
  const setNegative = draftSetter('negativePrompt');
  const setSampler = draftSetter('sampler');
  const setSteps = draftSetter('steps');
  const setCfg = draftSetter('cfgScale');
  const setWidth = draftSetter('width');
  const setHeight = draftSetter('height');
  const setSeedText = draftSetter('seedText');
  const setRng = draftSetter('rng');
  const comfyExact = samplerFamily(sampler) === 'comfyui';
  const setBatch = draftSetter('batchCount');
  const setMode = draftSetter('mode');
  const setStrength = draftSetter('strength');
  // The seed as typed: '-', '-1' and '' are all "random" while the user types, never a number they did not mean.
  const seed = /^\d{1,16}$/.test(seedText.trim()) ? Number(seedText.trim()) : -1;
  const seedInvalid = !/^(-1?|\d{1,16}|)$/.test(seedText.trim()) || seed > Number.MAX_SAFE_INTEGER;
  const setSeed = (n: number) => setSeedText(String(n));

  /** Picking a model sets the size it draws best at. */
  const chooseModel = (name: string | null) => {
    const native = models.data?.models.find((m) => m.name === name)?.nativeSize;
    // The model's own VAE choice (Models page), else the model's built-in one.
    const vae = (name && settings.data?.modelVaes[name]) || null;
    updateDraft(native ? { model: name, width: native, height: native, vae } : { model: name, vae });
  };

  // A fresh draft (or one whose model is gone) takes the default model and its size, and the RNG setting.
  useEffect(() => {
    const list = models.data?.models;
    if (!list || !models.data?.defaultModel) return;
    const known = list.some((m) => m.name === model && m.problem === null);
    if (!model || !known) {
      const native = list.find((m) => m.name === models.data?.defaultModel)?.nativeSize;
      const patch = native ? { width: native, height: native } : {};
      updateDraft({ model: models.data.defaultModel, ...(draft.fresh || !model ? patch : {}) });
    }
  }, [models.data, model, draft.fresh]);
  useEffect(() => {
    if (settings.data && draft.fresh) updateDraft({ rng: settings.data.rngMode });
  }, [settings.data, draft.fresh]);

  const usable = useMemo(() => (models.data?.models ?? []).filter((m) => m.problem === null), [models.data]);
  const lastSeed = state.result?.images[0]?.seed ?? null;
  // Limits are shown where they apply, never clamped silently; sizes snap to the model's multiple when a field is left.
  const multiple = usable.find((m) => m.name === model)?.sizeMultiple ?? 8;
  const nativeSize = usable.find((m) => m.name === model)?.nativeSize ?? null;
  // A box on the canvas sets the generation's size: its own, or scaled to the model's (moved and sized on the canvas).
  const boxed = mode !== 'txt2img' && draft.bbox !== null;
  const genSize = boxed ? boxGenerationSize(draft.bbox!, draft.bboxScaled, nativeSize, multiple) : { width, height };
  const isSdxl = usable.find((m) => m.name === model)?.family === 'sdxl';
  const sizeError = (v: number) =>
    !Number.isInteger(v) || v < 64 || v > 2048
      ? '64 to 2048'
      : v % multiple
        ? `A multiple of ${multiple} for this model (${snapSize(v, multiple)})`
        : undefined;
  const invalid = {
    steps: Number.isInteger(steps) && steps >= 1 && steps <= 200 ? undefined : '1 to 200 steps',
    cfg: Number.isFinite(cfg) && cfg >= 0 && cfg <= 50 ? undefined : '0 to 50',
    width: sizeError(genSize.width),
    height: sizeError(genSize.height),
  };
  const formValid = !seedInvalid && Object.values(invalid).every((e) => e === undefined);
  const canGenerate = !!model && (mode === 'txt2img' || !!initImage) && formValid;

  const canvas = useRef<CanvasPanelHandle>(null);
  const promptBox = useRef<HTMLTextAreaElement>(null);
  /** A LoRA tag or an embedding's word where the cursor is (replacing a selection), spaced from its neighbours. */
  const insertInPrompt = (text: string) =>
    setPrompt((p) => {
      const box = promptBox.current;
      const start = Math.min(box?.selectionStart ?? p.length, p.length);
      const end = Math.min(box?.selectionEnd ?? start, p.length);
      const before = p.slice(0, start);
      const after = p.slice(end);
      return `${before}${before && !/\s$/.test(before) ? ' ' : ''}${text}${after && !/^[\s,]/.test(after) ? ' ' : ''}${after}`;
    });
  /**
   * The form as a generation request (and, from the canvas, the box its results go back to),
   * or null (and a word why) when it cannot run.
   */
  const buildRequest = async (): Promise<{ request: GenerationRequest; box: Rect | null } | null> => {
    if (!canGenerate || !model) return null;
    const inputs = mode === 'txt2img' ? null : await canvas.current?.generationInputs();
    if (mode !== 'txt2img' && !inputs) return null;
    if (mode === 'inpaint' && !inputs?.mask) {
      notifications.show({
        color: 'yellow',
        message: draft.bbox
          ? 'Paint a mask inside the box over the part to repaint first.'
          : 'Paint a mask over the part to repaint first.',
      });
      return null;
    }
    // With a box, the generation is the box's part of the picture, at the box's size or scaled to the model's.
    const size = inputs?.boxed ? inputs.size : { width, height };
    // Styles are read when the job starts, so one imported a moment ago applies.
    return stylesFor(draft.styles).then((picked) => {
      const styled = applyStyles(picked, prompt, negative);
      const request: GenerationRequest = {
        model,
        mode,
        prompt: styled.prompt,
        negativePrompt: styled.negativePrompt,
        sampler,
        steps,
        cfgScale: cfg,
        ...size,
        seed,
        rng,
        batchCount: batch,
        strength,
        ...(isSdxl ? draft.sizeCond : {}),
        ...(mode === 'txt2img'
          ? {
              hiresScale: draft.hires.scale,
              hiresSteps: draft.hires.steps,
              hiresDenoise: draft.hires.denoise,
              hiresUpscaler: draft.hires.upscaler,
            }
          : {}),
        variationSeed: draft.variationSeed,
        variationStrength: draft.variationSeed === null ? 0 : draft.variationStrength,
        vae: draft.vae,
        ...(mode === 'inpaint' ? { inpaintArea: draft.inpaintArea, maskPadding: draft.maskPadding } : {}),
        seedResizeFromWidth: draft.seedResize?.width ?? null,
        seedResizeFromHeight: draft.seedResize?.height ?? null,
        initImage: inputs?.init,
        mask: inputs?.mask ?? undefined,
        parentId,
      };
      return { request, box: inputs?.box ?? null };
    });
  };
  const generate = () =>
    void buildRequest().then(async (built) => {
      if (!built) return;
      const jobId = await start(built.request);
      // The canvas's results come back to its staging area, over the box they fill.
      if (jobId && built.box) canvasJobQueued(jobId, built.box);
    });
  /** An X/Y/Z plot of the form's settings: its cells are this window's jobs, so they show here as they finish. */
  const plot = async (axes: PlotAxes) => {
    const built = await buildRequest();
    if (!built) return null;
    const started = await client.invoke('plot.start', { request: { ...built.request, batchCount: 1 }, ...axes });
    adopt(started.jobIds);
    return started;
  };
  /** A picture opened from disk that carries its prompt (any tool's metadata) offers to load it. */
  const offerEmbeddedPrompt = async (base64: string) => {
    const meta = await client.invoke('gallery.readMetadata', { data: base64 }).catch(() => null);
    if (!meta?.prompt || meta.prompt === prompt) return;
    const load = () => {
      notifications.hide('embedded-prompt');
      updateDraft({
        prompt: meta.prompt,
        negativePrompt: meta.negativePrompt,
        ...(meta.sampler ? { sampler: meta.sampler } : {}),
        ...(meta.steps ? { steps: meta.steps } : {}),
        ...(meta.cfgScale !== null ? { cfgScale: meta.cfgScale } : {}),
        ...(meta.seed !== null ? { seedText: String(meta.seed) } : {}),
      });
    };
    notifications.show({
      id: 'embedded-prompt',
      autoClose: 12_000,
      message: (
        <Group justify="space-between" wrap="nowrap">
          <Text size="sm" lineClamp={2}>
            This picture carries its prompt: {meta.prompt}
          </Text>
          <Button size="compact-xs" variant="light" onClick={load} data-testid="load-embedded-prompt">
            Load it
          </Button>
        </Group>
      ),
    });
  };
  /**
   * Outpainting: the source on a larger canvas with the engine's mask for the new area, at full strength
   * (from the Extend button, or a box dragged over the picture's edge, which stays over the same part).
   */
  const extendCanvas = async (pads: Pads, bboxAfter: Rect | null = null) => {
    if (!initImage || !model) return null;
    try {
      const r = await client.invoke('engine.outpaintCanvas', { model, image: initImage.base64, ...pads });
      pictureExtended(r.image, r.mask, { width: r.width, height: r.height }, bboxAfter);
      return r;
    } catch (err) {
      notifications.show({ color: 'red', title: 'Cannot extend the picture', message: (err as Error).message });
      return null;
    }
  };
  const onInitImage = (img: { base64: string; url: string }, size: { width: number; height: number }) => {
    // Generate at the image's size, snapped to the model's multiple. A new picture starts a new canvas document.
    updateDraft({
      initImage: img,
      width: snapSize(size.width, multiple),
      height: snapSize(size.height, multiple),
      ...newCanvas(),
      parentId: undefined,
    });
    void offerEmbeddedPrompt(img.base64);
  };
  // The canvas's own results wait in its staging area.
  useEffect(() => {
    if (state.result) jobFinished(state.result);
  }, [state.result]);
  // Ctrl+Enter works in the prompt fields too (no tags ignored).
  useHotkeys([['mod+Enter', generate]], []);
  useEscapeToCancel(cancel);
  useEffect(() => {
    if (state.error) notifications.show({ title: 'Generation failed', message: state.error, color: 'red' });
  }, [state.error]);

  const p = state.progress;
  const percent = p ? ((p.imageIndex * p.totalSteps + p.step) / (p.batchCount * p.totalSteps)) * 100 : 0;
  // A picture picked in the session strip is shown until the next result arrives.
  const [viewed, setViewed] = useState<SessionImage | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new result clears the pick
  useEffect(() => setViewed(null), [state.result]);
  const shown = viewed ? [viewed] : state.result?.status === 'succeeded' ? state.result.images : [];
  /** A result becomes the source picture of an img2img or inpaint (with a fresh mask), its gallery item the parent. */
  const sendAsSource = (img: SessionImage | JobDone['images'][number], next: 'img2img' | 'inpaint') =>
    updateDraft({
      mode: next,
      initImage: { base64: img.png, url: `data:image/png;base64,${img.png}` },
      width: img.width,
      height: img.height,
      ...newCanvas(),
      parentId: img.galleryId ?? undefined,
    });

  return (
    <Grid>
      <Grid.Col span={{ base: 12, md: 5, lg: 4 }}>
        <Stack gap="sm">
          <Title order={2}>Generate</Title>
          {models.data && usable.length === 0 && (
            <Alert color="yellow" title="No model installed">
              Put an ONNX Stable Diffusion export in the models folder (see README).
            </Alert>
          )}
          <Select
            label="Model"
            data={usable.map((m) => m.name)}
            value={model}
            onChange={chooseModel}
            allowDeselect={false}
            data-testid="model-select"
          />
          <SegmentedControl
            aria-label="Mode"
            value={mode}
            onChange={(v) => setMode(v as GenerationMode)}
            data={[
              { value: 'txt2img', label: 'txt2img' },
              { value: 'img2img', label: 'img2img' },
              { value: 'inpaint', label: 'Inpaint' },
            ]}
            data-testid="mode-control"
          />
          <PromptField
            label="Prompt"
            value={prompt}
            onChange={setPrompt}
            model={model}
            minRows={3}
            testId="prompt"
            inputRef={promptBox}
            steps={Number.isInteger(steps) && steps > 0 ? steps : 20}
          />
          <NetworkPicker
            onInsert={insertInPrompt}
            vae={draft.vae}
            onVae={(vae) => updateDraft({ vae })}
            modelFamily={usable.find((m) => m.name === model)?.family ?? null}
          />
          <Group grow wrap="nowrap" align="start">
            <StylePicker value={draft.styles} onChange={(v) => updateDraft({ styles: v })} />
            <PromptHistory onPick={(p, n) => updateDraft({ prompt: p, negativePrompt: n })} />
          </Group>
          <PromptField
            label="Negative prompt"
            value={negative}
            onChange={setNegative}
            steps={Number.isInteger(steps) && steps > 0 ? steps : 20}
            model={model}
            minRows={1}
            testId="negative-prompt"
          />
          {mode !== 'txt2img' && (
            <div>
              <Text size="sm" id="strength-label">
                Strength {strength.toFixed(2)}
              </Text>
              <Slider
                aria-labelledby="strength-label"
                min={0}
                max={1}
                step={0.01}
                value={strength}
                onChange={setStrength}
                data-testid="strength"
              />
            </div>
          )}
          {mode === 'inpaint' && (
            <Group align="end" wrap="nowrap">
              <ExtendCanvas onExtend={extendCanvas} disabled={!initImage || !model} />
              <SegmentedControl
                aria-label="Inpaint area"
                value={draft.inpaintArea}
                onChange={(v) => updateDraft({ inpaintArea: v as 'whole' | 'masked' })}
                data={[
                  { value: 'whole', label: 'Whole picture' },
                  { value: 'masked', label: 'Only masked' },
                ]}
                data-testid="inpaint-area"
              />
              <NumberInput
                label="Masked area padding"
                description="Only masked: pixels around the mask"
                min={0}
                max={512}
                allowDecimal={false}
                disabled={draft.inpaintArea !== 'masked'}
                value={draft.maskPadding}
                onChange={(v) => updateDraft({ maskPadding: Math.min(512, Math.max(0, Math.round(Number(v) || 0))) })}
                data-testid="mask-padding"
              />
            </Group>
          )}
          <SamplerPicker value={sampler} onChange={setSampler} />
          <Group wrap="nowrap" align="start">
            <NumberInput
              style={{ flex: 1 }}
              label="Steps"
              min={1}
              max={200}
              clampBehavior="none"
              allowDecimal={false}
              value={steps}
              onChange={(v) => setSteps(Number(v))}
              error={invalid.steps}
              data-testid="steps"
            />
            <NumberInput
              style={{ flex: 1 }}
              label="CFG"
              description={cfg <= 1 ? 'No guidance: the negative prompt has no effect' : undefined}
              min={0}
              max={50}
              clampBehavior="none"
              step={0.5}
              decimalScale={1}
              value={cfg}
              onChange={(v) => setCfg(Number(v))}
              error={invalid.cfg}
              data-testid="cfg"
            />
          </Group>
          <Group grow align="end">
            <NumberInput
              label="Width"
              description={boxed ? 'Set by the box' : undefined}
              disabled={boxed}
              min={64}
              max={2048}
              clampBehavior="none"
              step={multiple}
              value={genSize.width}
              onChange={(v) => setWidth(Number(v))}
              onBlur={() => setWidth(snapSize(width, multiple))}
              error={invalid.width}
              data-testid="width"
            />
            <NumberInput
              label="Height"
              description={boxed ? 'Set by the box' : undefined}
              disabled={boxed}
              min={64}
              max={2048}
              clampBehavior="none"
              step={multiple}
              value={genSize.height}
              onChange={(v) => setHeight(Number(v))}
              onBlur={() => setHeight(snapSize(height, multiple))}
              error={invalid.height}
              data-testid="height"
            />
            <Select
              label="Size preset"
              data={SIZE_PRESETS}
              value={SIZE_PRESETS.includes(`${width}x${height}`) ? `${width}x${height}` : null}
              onChange={(v) => {
                if (!v) return;
                const [w, h] = v.split('x').map(Number);
                setWidth(w!);
                setHeight(h!);
              }}
            />
          </Group>
          <Group grow wrap="nowrap" align="start">
            <TextInput
              label="Variation seed"
              description="Empty: none. Moves the noise towards this seed's."
              placeholder="none"
              inputMode="numeric"
              value={draft.variationSeed === null ? '' : String(draft.variationSeed)}
              onChange={(e) => {
                const t = e.currentTarget.value.trim();
                const v = Number(t);
                if (t === '') updateDraft({ variationSeed: null });
                else if (Number.isSafeInteger(v) && v >= 0) updateDraft({ variationSeed: v });
              }}
              data-testid="variation-seed"
            />
            <NumberInput
              label="Variation strength"
              description="0: this seed's picture, 1: the variation seed's noise"
              min={0}
              max={1}
              step={0.05}
              decimalScale={2}
              disabled={draft.variationSeed === null}
              value={draft.variationStrength}
              onChange={(v) => updateDraft({ variationStrength: Math.min(1, Math.max(0, Number(v) || 0)) })}
              data-testid="variation-strength-input"
            />
          </Group>
          <Group grow wrap="nowrap" align="start">
            <NumberInput
              label="Resize seed from width"
              description="0: off. The seed's noise drawn at this size, centred"
              min={0}
              max={4096}
              step={8}
              allowDecimal={false}
              value={draft.seedResize?.width ?? 0}
              onChange={(v) => {
                const width = Math.max(0, Math.round(Number(v) || 0));
                updateDraft((d) => ({
                  seedResize: width ? { width, height: d.seedResize?.height || height } : null,
                }));
              }}
              data-testid="seed-resize-width"
            />
            <NumberInput
              label="Resize seed from height"
              description="as A1111's option of that name"
              min={0}
              max={4096}
              step={8}
              allowDecimal={false}
              value={draft.seedResize?.height ?? 0}
              onChange={(v) => {
                const h = Math.max(0, Math.round(Number(v) || 0));
                updateDraft((d) => ({ seedResize: h ? { width: d.seedResize?.width || width, height: h } : null }));
              }}
              data-testid="seed-resize-height"
            />
          </Group>
          {mode === 'txt2img' && (
            <HiresFields
              value={draft.hires}
              width={width}
              height={height}
              onChange={(v) => updateDraft({ hires: v })}
            />
          )}
          {mode === 'txt2img' && <PlotPanel onStart={plot} disabled={!canGenerate} />}
          {isSdxl && (
            <SizeConditioningFields
              value={draft.sizeCond}
              width={width}
              height={height}
              onChange={(v) => updateDraft({ sizeCond: v })}
            />
          )}
          <Group align="end" wrap="nowrap">
            <TextInput
              style={{ flex: 1 }}
              label="Seed"
              description={seed < 0 ? 'Random: a new seed each time' : 'Fixed: the same picture again'}
              placeholder="random"
              inputMode="numeric"
              value={seedText === '-1' ? '' : seedText}
              onChange={(e) => setSeedText(e.currentTarget.value)}
              error={seedInvalid ? 'A whole number, or empty / -1 for random' : undefined}
              data-testid="seed"
              rightSectionWidth={56}
              rightSection={
                <Group gap={2} wrap="nowrap">
                  <TipIcon
                    tip="Pick a random seed and keep it"
                    label="Random seed"
                    variant="subtle"
                    testId="seed-dice"
                    onClick={() => setSeed(Math.floor(Math.random() * 2 ** 32))}
                  >
                    ⚄
                  </TipIcon>
                  <TipIcon tip="Random each time" variant="subtle" testId="seed-random" onClick={() => setSeed(-1)}>
                    ↺
                  </TipIcon>
                </Group>
              }
            />
            <Tooltip label="Reuse the last image's seed">
              <Button
                variant="default"
                disabled={lastSeed === null}
                onClick={() => lastSeed !== null && setSeed(lastSeed)}
              >
                Reuse
              </Button>
            </Tooltip>
          </Group>
          <Group grow align="end">
            <Tooltip
              multiline
              w={260}
              label="CPU noise matches ComfyUI's default; GPU noise matches AUTOMATIC1111's default. Either way the same seed gives the same noise as there."
            >
              <Select
                label="RNG"
                data={[
                  { value: 'cpu', label: 'CPU' },
                  { value: 'gpu', label: 'GPU' },
                ]}
                value={comfyExact ? 'cpu' : rng}
                onChange={(v) => v && setRng(v as RngMode)}
                allowDeselect={false}
                // ComfyUI draws its initial noise on the CPU whatever the device.
                disabled={comfyExact}
                data-testid="rng-select"
              />
            </Tooltip>
            <NumberInput
              label="Batch"
              min={1}
              max={16}
              value={batch}
              onChange={(v) => setBatch(Number(v) || 1)}
              data-testid="batch-count"
            />
          </Group>
          <Group>
            <Button onClick={generate} disabled={!canGenerate} data-testid="generate-button">
              {running ? 'Queue' : 'Generate'}{' '}
              <Kbd ml="xs" size="xs">
                Ctrl+Enter
              </Kbd>
            </Button>
            <Button
              variant="outline"
              color="red"
              onClick={() => void cancel()}
              disabled={!runningMine}
              data-testid="cancel-button"
            >
              Cancel{' '}
              <Kbd ml="xs" size="xs">
                Esc
              </Kbd>
            </Button>
          </Group>
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7, lg: 8 }}>
        <Stack>
          {mode !== 'txt2img' && (
            <CanvasPanel
              ref={canvas}
              paintable={mode === 'inpaint'}
              multiple={multiple}
              nativeSize={nativeSize}
              onInitImage={onInitImage}
              onExtend={extendCanvas}
            />
          )}
          <Paper withBorder p="sm" data-testid="progress-panel">
            <Group justify="space-between" mb={4}>
              <Text size="sm" data-testid="progress-text">
                {p && runningMine
                  ? `Image ${p.imageIndex + 1}/${p.batchCount} · step ${p.step}/${p.totalSteps}`
                  : runningMine
                    ? 'Loading model...'
                    : running
                      ? 'Busy with a job from another window; yours queue behind it'
                      : state.result
                        ? `Finished: ${state.result.status}`
                        : 'Idle'}
              </Text>
              <Text size="sm" c="dimmed">
                {state.itPerSec !== null && `${state.itPerSec.toFixed(2)} it/s · `}ETA{' '}
                {/* The first steps include loading and warm-up: an estimate from them is far off. */}
                {formatMs(p && p.imageIndex * p.totalSteps + p.step >= 3 ? p.etaMs : null)}
              </Text>
            </Group>
            <Progress
              value={runningMine ? (p ? percent : 0) : state.result?.status === 'succeeded' ? 100 : 0}
              aria-label="Generation progress"
            />
            {state.result?.provider && (
              <Group mt="xs" gap="xs">
                <Badge variant="light">{state.result.provider}</Badge>
                <Text size="xs" c="dimmed">
                  {formatMs(state.result.totalMs)}
                  {state.result.providerNote ? ` · ${state.result.providerNote}` : ''}
                  {state.result.warnings.map((w) => ` · ${w}`).join('')}
                </Text>
              </Group>
            )}
          </Paper>
          <QueuePanel
            pending={state.queue.pending}
            onMove={(id, i) => void move(id, i)}
            onRemove={(id) => void cancel(id)}
            isMine={isMyJob}
          />
          {runningMine && state.preview && (
            <Image
              src={state.preview}
              alt="Live preview"
              w={Math.min(512, width)}
              h="auto"
              style={{ imageRendering: 'pixelated' }}
              data-testid="live-preview"
            />
          )}
          {shown.length > 0 && (
            <Group align="start" data-testid="results">
              {shown.map((img) => (
                <Stack key={`${img.index}-${img.seed}`} gap={4}>
                  <Image
                    src={`data:image/png;base64,${img.png}`}
                    alt={`Result ${img.index + 1}, seed ${img.seed}`}
                    w={Math.min(512, img.width * 2)}
                    data-testid="result-image"
                  />
                  <Group gap={4}>
                    <Text size="xs" c="dimmed">
                      Seed {img.seed}
                    </Text>
                    <ActionIcon
                      size="xs"
                      w="auto"
                      px={4}
                      variant="subtle"
                      aria-label="Copy seed"
                      onClick={() => void navigator.clipboard?.writeText(String(img.seed))}
                    >
                      copy
                    </ActionIcon>
                    <Button size="compact-xs" variant="subtle" onClick={() => sendAsSource(img, 'img2img')}>
                      img2img
                    </Button>
                    <Button
                      size="compact-xs"
                      variant="subtle"
                      onClick={() => sendAsSource(img, 'inpaint')}
                      data-testid="result-inpaint"
                    >
                      Inpaint
                    </Button>
                    {img.galleryId !== null && (
                      <Button size="compact-xs" variant="subtle" onClick={() => openInGallery(img.galleryId!)}>
                        In gallery
                      </Button>
                    )}
                  </Group>
                </Stack>
              ))}
            </Group>
          )}
          {state.session.length > 1 && (
            <div>
              <Text size="xs" c="dimmed" mb={4}>
                This session ({state.session.length})
              </Text>
              <Group gap={4} data-testid="session-strip">
                {state.session.map((img) => (
                  <Image
                    key={`${img.jobId}-${img.index}`}
                    src={`data:image/png;base64,${img.png}`}
                    alt={`Earlier result, seed ${img.seed}`}
                    w={56}
                    h={56}
                    fit="contain"
                    radius="xs"
                    style={{
                      cursor: 'pointer',
                      outline: viewed === img ? '2px solid var(--mantine-color-violet-5)' : undefined,
                    }}
                    onClick={() => setViewed(img)}
                    data-testid="session-thumb"
                  />
                ))}
              </Group>
            </div>
          )}
        </Stack>
      </Grid.Col>
    </Grid>
  );
}
