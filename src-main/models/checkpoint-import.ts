/**
 * Single-file checkpoints (and diffusers folders of safetensors) brought into
 * the models folder: what a file is and which installed model can lend it its
 * graphs, then the conversion in a worker thread with progress and cancel.
 * Shared by the app (Models page) and `studio models convert`.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import type { Emit } from '../../src-shared/contract.js';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import type { CheckpointInspection, ModelEntry } from '../../src-shared/domain/models.js';
import { fitsTemplate, openCheckpoint, partialDirOf, TEMPLATE_FAMILIES, type WeightSource } from '../engine/index.js';
import { assertModelName, type ModelRegistry } from './model-registry.js';
import type { ConvertWorkerMessage, ConvertWorkerInput } from './convert-worker-protocol.js';

/** A repository to install when no model of the family is there to lend its graphs (checked to exist on the Hub). */
const SUGGESTED_TEMPLATES: Record<string, string> = { sd1: 'onnx-community/stable-diffusion-v1-5-ONNX' };
const FAMILY_LABEL: Record<string, string> = { sd1: 'SD 1.x', sd2: 'SD 2.x', sdxl: 'SDXL', custom: 'custom-size' };

/** A model name from a file name: its stem, with what model names cannot hold replaced. */
export function modelNameFor(file: string): string {
  const stem = path.basename(file).replace(/\.safetensors$/i, '');
  const name = stem.replace(/[^\w.\- ]/g, '_').replace(/^[^\w]+/, '');
  return (name || 'checkpoint').slice(0, 120);
}

/**
 * The installed model a checkpoint converts onto: same family, same UNet input
 * (inpainting or not); models of no known family only where every weight fits.
 */
export function pickTemplate(
  models: readonly ModelEntry[],
  source: WeightSource,
  dirOf: (name: string) => string,
): ModelEntry | null {
  const families = TEMPLATE_FAMILIES[source.family] ?? [];
  const candidates = models
    .filter((m) => m.problem === null && families.includes(m.family ?? '') && m.inpainting === source.inpainting)
    // fp16 templates first: the converted model then takes half the disk, as most shared checkpoints do.
    .sort((a, b) => Number(b.precision === 'float16') - Number(a.precision === 'float16'));
  if (source.family !== 'custom') return candidates[0] ?? null;
  return candidates.find((m) => fitsTemplate(source, dirOf(m.name))) ?? null;
}

export function inspectCheckpoint(
  file: string,
  models: readonly ModelEntry[],
  dirOf: (name: string) => string,
): CheckpointInspection {
  if (!path.isAbsolute(file)) throw new StudioError('INVALID_INPUT', 'Give the checkpoint as an absolute path');
  const st = fs.statSync(file, { throwIfNoEntry: false });
  if (!st) throw new StudioError('INVALID_INPUT', `No file at ${path.basename(file)}`);
  const source = openCheckpoint(file);
  const template = pickTemplate(models, source, dirOf);
  const label = `${FAMILY_LABEL[source.family] ?? source.family}${source.inpainting ? ' inpainting' : ''}`;
  const suggestedRepo = source.inpainting ? null : (SUGGESTED_TEMPLATES[source.family] ?? null);
  return {
    file: path.basename(file),
    family: source.family,
    familyLabel: label,
    inpainting: source.inpainting,
    sizeBytes: st.isFile() ? st.size : 0,
    name: modelNameFor(file),
    template: template?.name ?? null,
    suggestedRepo: template ? null : suggestedRepo,
    problem: template
      ? null
      : `No ${label} model is installed to lend the checkpoint its graphs: install ${suggestedRepo ?? `an ONNX export of an ${label} model`} first`,
  };
}

interface RunningConvert {
  worker: Worker;
  out: string;
  cancelled: boolean;
}

export interface ConvertRequest {
  path: string;
  name?: string;
}

/** Conversions into the models folder, one worker thread each, reported through events. */
export class CheckpointImports {
  private readonly running = new Map<string, RunningConvert>();

  constructor(
    private readonly emit: Emit,
    private readonly registry: ModelRegistry,
    private readonly modelsDir: () => string,
    private readonly workerFile: string,
  ) {}

  inspect(file: string): CheckpointInspection {
    return inspectCheckpoint(file, this.registry.list(), (name) => this.registry.find(name));
  }

  start(req: ConvertRequest): { importId: string; name: string; template: string } {
    const info = this.inspect(req.path);
    if (!info.template) throw new StudioError('MODEL_NOT_FOUND', info.problem ?? 'No model to convert onto');
    const name = req.name ?? info.name;
    assertModelName(name);
    const out = path.join(this.modelsDir(), name);
    if (fs.existsSync(out) || [...this.running.values()].some((r) => r.out === out))
      throw new StudioError('INVALID_INPUT', `A model named "${name}" is already installed; choose another name`);
    const importId = crypto.randomUUID();
    const input: ConvertWorkerInput = { file: req.path, template: this.registry.find(info.template), out };
    const worker = new Worker(this.workerFile, { workerData: input });
    const run: RunningConvert = { worker, out, cancelled: false };
    this.running.set(importId, run);
    let lastEmit = 0;
    let settled = false;
    const finish = (status: 'succeeded' | 'failed' | 'cancelled', error: { code: string; message: string } | null) => {
      if (settled) return;
      settled = true;
      this.running.delete(importId);
      if (status !== 'succeeded') fs.rmSync(partialDirOf(out), { recursive: true, force: true });
      else void this.registry.hash(out);
      this.emit('models.convertDone', { importId, name, status, error });
    };
    worker.on('message', (m: ConvertWorkerMessage) => {
      if (m.type === 'progress') {
        const now = Date.now();
        if (now - lastEmit < 100 && m.done < m.total) return;
        lastEmit = now;
        this.emit('models.convertProgress', { importId, name, phase: m.phase, done: m.done, total: m.total });
      } else if (m.type === 'done') finish('succeeded', null);
      else finish(m.error.code === 'CANCELLED' ? 'cancelled' : 'failed', m.error);
    });
    worker.on('error', (err) => finish('failed', { code: 'INTERNAL', message: err.message }));
    worker.on('exit', () =>
      finish(
        run.cancelled ? 'cancelled' : 'failed',
        run.cancelled ? null : { code: 'INTERNAL', message: 'the conversion stopped' },
      ),
    );
    return { importId, name, template: info.template };
  }

  cancel(importId: string): boolean {
    const run = this.running.get(importId);
    if (!run) return false;
    run.cancelled = true;
    void run.worker.terminate();
    return true;
  }

  /** Stops every conversion (the studio is closing); their half-written folders are removed. */
  async close(): Promise<void> {
    await Promise.all([...this.running.keys()].map((id) => this.cancel(id)));
  }
}

export const convertErrorData = (err: unknown) =>
  isStudioError(err) ? err.toData() : { code: 'INTERNAL' as const, message: (err as Error).message };
