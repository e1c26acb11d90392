/**
 * The composition root: builds every service once and the router over them.
 * Both shells (Electron and the headless host) start the studio through here.
 */
import { appVersion } from './app-version.js';
import { ensureWritableDir } from './fs-atomic.js';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Router, consoleLogger, type Handlers, type Logger } from './ipc/router.js';
import { EventHub } from './ipc/event-hub.js';
import { SettingsStore } from './settings/settings-store.js';
import { StylesStore } from './settings/styles-store.js';
import { collectSystemInfo } from './system/system-info.js';
import { appRoot, graphCacheDir, resolveStudioPaths, type StudioPaths } from './paths.js';
import { JobQueue } from './jobs/job-queue.js';
import { sessionTuning } from './engine/index.js';
import { ModelRegistry } from './models/model-registry.js';
import { checkModelsDir, modelRoots } from './models/model-roots.js';
import {
  additionsForPrompts,
  deleteModelFile,
  upscalerFile,
  listNetworks,
  missingNetworks,
  networkFiles,
  UPSCALERS_DIR,
} from './models/networks.js';
import { UpscaleTasks } from './gallery/upscale-tasks.js';
import { PlotRuns } from './plots/plot-runs.js';
import { CheckpointImports } from './models/checkpoint-import.js';
import { ModelFiles } from './models/model-files.js';
import { ModelService } from './models/model-service.js';
import { TokenStore, type Cipher } from './models/token-store.js';
import { HubClient } from './models/hub-client.js';
import {
  availableProviders,
  listBackends,
  providerOrder,
  providerStatuses,
  ClipTokenizer,
  chunkPrompt,
  promptSchedule,
  parsePromptAttention,
  splitAnd,
  embeddingName,
  decodePngToRgb,
  encodePng,
  outpaintCanvas,
  readInversion,
} from './engine/index.js';
import { PROVIDER_NAMES } from '../src-shared/domain/settings.js';
import { GalleryService, TRASH_GRACE_MS } from './gallery/gallery-service.js';
import { searchGallery } from './gallery/search.js';
import { readImageMetadata } from './pngmeta/read-image-metadata.js';
import { StudioError } from '../src-shared/domain/errors.js';
import { pickFields } from '../src-shared/domain/generation.js';
import { sqliteVersion } from './gallery/database.js';
import type { SystemInfo } from '../src-shared/domain/system.js';

export interface StudioOptions {
  shell: SystemInfo['shell'];
  paths?: StudioPaths;
  logger?: Logger;
  /** Engine worker bundle; defaults to the one built beside the running code. */
  workerFile?: string;
  /** The OS keychain (Electron's safeStorage), where there is one. */
  cipher?: Cipher | null;
}

export interface Studio {
  paths: StudioPaths;
  router: Router;
  hub: EventHub;
  settings: SettingsStore;
  jobs: JobQueue;
  gallery: GalleryService;
  close(): Promise<void>;
}

/** A worker bundle: dist/NAME.mjs for the CLI (and from sources), dist/main/NAME.cjs for Electron. */
export function workerBundle(name: 'engine-worker' | 'convert-worker' | 'upscale-worker'): string {
  const ext = path.extname(fileURLToPath(import.meta.url));
  return ext === '.cjs'
    ? path.join(appRoot(), 'dist', 'main', `${name}.cjs`)
    : path.join(appRoot(), 'dist', `${name}.mjs`);
}

export const engineWorkerFile = () => workerBundle('engine-worker');

export async function startStudio(opts: StudioOptions): Promise<Studio> {
  const paths = opts.paths ?? resolveStudioPaths();
  ensureWritableDir(paths.dataDir, 'data folder');
  ensureWritableDir(paths.modelsDir, 'models folder');
  const settings = new SettingsStore(paths.dataDir);
  const styles = new StylesStore(paths.dataDir);
  const hub = new EventHub();
  const logger = opts.logger ?? consoleLogger;
  const { modelsDir, roots } = modelRoots(paths, settings);
  const registry = new ModelRegistry(paths.dataDir, roots);
  const tokens = new TokenStore(paths.dataDir, opts.cipher ?? null);
  const models = new ModelService(hub.emit, registry, modelsDir, () => new HubClient(undefined, tokens.get()));
  const checkpoints = new CheckpointImports(hub.emit, registry, modelsDir, workerBundle('convert-worker'));
  const modelFiles = new ModelFiles(paths.dataDir, modelsDir);
  const defaultModel = (list = registry.list()) => {
    const usable = list.filter((m) => m.problem === null);
    const preferred = settings.get().defaultModel;
    return (
      usable.find((m) => m.name === preferred)?.name ??
      usable.find((m) => m.source === 'builtin')?.name ??
      usable[0]?.name ??
      null
    );
  };
  const gallery = new GalleryService(path.join(paths.dataDir, 'gallery'), { role: 'owner' });
  const upscales = new UpscaleTasks(
    hub.emit,
    gallery,
    (name) => networkFiles(modelsDir(), UPSCALERS_DIR).get(name),
    workerBundle('upscale-worker'),
  );
  // Embedding vector counts for the prompt counter, read once per file version.
  const inversionCounts = new Map<string, number>();
  const inversionCount = (file: string) => {
    const st = fs.statSync(file);
    const key = `${file}:${st.size}:${st.mtimeMs}`;
    let n = inversionCounts.get(key);
    if (n === undefined) {
      try {
        n = readInversion(file).count;
      } catch {
        n = 0; // A broken file is reported when a generation uses it; the counter counts its word as text.
      }
      inversionCounts.set(key, n);
    }
    return n;
  };
  // Tokenizers for the prompt counter, loaded once per model folder.
  const tokenizers = new Map<string, ClipTokenizer>();
  const tokenizerFor = (name: string) => {
    const dir = registry.find(name);
    let tok = tokenizers.get(dir);
    if (!tok) {
      tok = ClipTokenizer.fromFolder(path.join(dir, 'tokenizer'));
      tokenizers.set(dir, tok);
    }
    return tok;
  };
  const jobs = new JobQueue({
    emit: hub.emit,
    workerFile: opts.workerFile ?? engineWorkerFile(),
    appVersion: appVersion(),
    resolveModel: (name) => registry.find(name),
    resolveAdditions: (params) => additionsForPrompts(modelsDir(), params.prompt, params.negativePrompt, params.vae),
    resolveUpscaler: (name) => upscalerFile(modelsDir(), name),
    providerOrder: (params) => providerOrder(params.provider ?? settings.get().providerPreference),
    tuning: () => sessionTuning(settings.get().cpuThreads, graphCacheDir(paths)),
    knownModelHash: (dir) => registry.cachedHash(dir),
    onImage: async (job, image) => {
      const existed = gallery.store.findByImage(image.png, 'png');
      const id = await gallery.saveGenerated(job.params, image, job.durationMs());
      if (existed !== null) return { galleryId: id, note: `the same picture is already in the gallery (item ${id})` };
      hub.emit('gallery.added', { ids: [id] });
      return { galleryId: id };
    },
  });

  const plots = new PlotRuns(hub.emit, jobs, gallery, (listener) => hub.subscribe(listener));

  /** What a gallery item used that the models folder lacks. */
  const missingOf = (id: number) => {
    const item = gallery.getWithMetadata(id);
    return missingNetworks(modelsDir(), item);
  };

  const handlers: Handlers = {
    'system.info': () =>
      collectSystemInfo({
        paths,
        modelsDir: modelsDir(),
        shell: opts.shell,
        appVersion: appVersion(),
        sqliteVersion: sqliteVersion(gallery.store.db),
      }),
    'styles.list': () => ({ styles: styles.list() }),
    'styles.save': (style) => ({ styles: styles.save(style) }),
    'styles.delete': ({ name }) => ({ styles: styles.delete(name) }),
    'styles.import': ({ csv }) => styles.importA1111(csv),
    'settings.get': () => settings.get(),
    'settings.set': (patch) => {
      if (patch.modelsDir) checkModelsDir(patch.modelsDir);
      return settings.set(patch);
    },
    'models.list': () => {
      const list = registry.list();
      return { models: list, defaultModel: defaultModel(list) };
    },
    'models.install': (req) => ({ installId: models.install(req) }),
    'models.cancelInstall': ({ installId }) => ({ cancelled: models.cancel(installId) }),
    'models.importFolder': ({ path: source, mode, name }) => ({ name: models.importFolder(source, mode, name) }),
    'models.delete': ({ name }) => ({ deleted: models.delete(name) }),
    'models.inspectCheckpoint': ({ path: file }) => checkpoints.inspect(file),
    'models.convertCheckpoint': (req) => checkpoints.start(req),
    'models.cancelConvert': ({ importId }) => ({ cancelled: checkpoints.cancel(importId) }),
    'models.files': () => ({ files: modelFiles.list() }),
    'models.deleteFile': ({ kind, file }) => ({ deleted: deleteModelFile(modelsDir(), kind, file) }),
    'models.setToken': ({ token }) => {
      tokens.set(token);
      return { stored: token !== null };
    },
    'models.tokenStatus': () => ({ hasToken: tokens.get() !== null, canStore: tokens.canStore }),
    'engine.generate': (params) => ({ jobId: jobs.submit(params) }),
    'engine.outpaintCanvas': async ({ model, image, ...pads }) => {
      const multiple = registry.list().find((m) => m.name === model)?.sizeMultiple ?? 8;
      const src = await decodePngToRgb(Buffer.from(image, 'base64')).catch((err: Error) => {
        throw new StudioError('INVALID_INPUT', `not a readable image (${err.message.split('\n')[0]})`);
      });
      const canvas = outpaintCanvas(src, pads, multiple);
      if (canvas.image.width > 2048 || canvas.image.height > 2048)
        throw new StudioError('INVALID_INPUT', 'The extended picture would be over 2048 pixels on a side');
      const [img, mask] = await Promise.all([encodePng(canvas.image), encodePng(canvas.mask)]);
      return {
        image: img.toString('base64'),
        mask: mask.toString('base64'),
        width: canvas.image.width,
        height: canvas.image.height,
      };
    },
    'engine.providers': () => {
      const listed = new Set(listBackends().map((b) => b.name));
      const statuses = providerStatuses();
      return {
        providers: PROVIDER_NAMES.map((name) => {
          const st = statuses.find((p) => p.name === name)!;
          return { name, listed: listed.has(name), bundled: st.bundled, usable: st.usable, reason: st.reason };
        }),
        order: availableProviders(),
      };
    },
    'models.networks': () => listNetworks(modelsDir()),
    'job.cancel': ({ jobId }) => ({ cancelled: jobs.cancel(jobId) }),
    'jobs.list': () => jobs.state(),
    'jobs.move': ({ jobId, index }) => jobs.move(jobId, index),
    'prompt.tokens': ({ model, text, steps }) => {
      // Embeddings named in the text take their vectors' positions, as the model will see them.
      const tokenizer = tokenizerFor(model).withInversions(
        additionsForPrompts(modelsDir(), '', text)
          .embeddings.map((file) => ({ word: embeddingName(file), count: inversionCount(file) }))
          .filter((e) => e.count > 0),
      );
      // AND parts, each under prompt editing and alternation: the longest text any reaches is what must fit.
      const parts = splitAnd(text).map((p) => ({ weight: p.weight, schedule: promptSchedule(p.text, steps) }));
      const counts = [...new Set(parts.flatMap((p) => p.schedule.map((e) => e.text)))].map((t) =>
        chunkPrompt(tokenizer, t),
      );
      const longest = counts.reduce((a, b) => (b.tokenCount > a.tokenCount ? b : a));
      return {
        tokens: longest.tokenCount,
        chunks: longest.chunks.length,
        // Emphasis as the first step's texts carry it (editing brackets are not de-emphasis).
        fragments: parsePromptAttention(parts.map((p) => p.schedule[0]!.text).join(' AND ')).map((f) => ({
          text: f.text,
          weight: f.weight,
        })),
        parts,
      };
    },
    'gallery.search': (query) => searchGallery(gallery.store, query),
    'gallery.get': ({ id }) => gallery.getWithMetadata(id),
    'gallery.update': ({ id, ...patch }) => gallery.store.update(id, patch),
    'gallery.delete': ({ ids }) => {
      gallery.store.purge(TRASH_GRACE_MS); // what earlier deletes left in the trash goes for good now
      return { deleted: gallery.store.delete(ids) };
    },
    'gallery.restore': ({ ids }) => ({ restored: gallery.store.restore(ids) }),
    'gallery.readMetadata': async ({ data }) => {
      const m = await readImageMetadata(Buffer.from(data, 'base64')).catch((err: Error) => {
        throw new StudioError('INVALID_INPUT', err.message);
      });
      const seed = m.seed !== null && Number.isSafeInteger(m.seed) ? m.seed : null;
      return { ...pickFields(m, ['prompt', 'negativePrompt', 'sampler', 'steps', 'cfgScale']), seed, source: m.source };
    },
    'gallery.lineage': ({ id }) => gallery.store.lineage(id),
    'gallery.prompts': ({ query, limit }) => ({ prompts: gallery.store.recentPrompts(query, limit) }),
    'gallery.import': async ({ files }) => {
      const result = await gallery.importFiles(
        files.map((f) => ({ name: f.name, bytes: Buffer.from(f.data, 'base64') })),
      );
      if (result.imported.length) hub.emit('gallery.added', { ids: result.imported.map((i) => i.id) });
      return {
        ...result,
        imported: result.imported.map((i) => {
          const missing = missingOf(i.id);
          return missing.length ? { ...i, missing } : i;
        }),
      };
    },
    'gallery.export': async ({ ids, withMetadata }) => ({
      files: (await gallery.export(ids, withMetadata)).map((f) => ({ name: f.name, data: f.data.toString('base64') })),
    }),
    'gallery.remix': ({ id }) => ({ ...gallery.remix(id), missing: missingOf(id) }),
    'gallery.upscale': (req) => ({ taskId: upscales.start(req) }),
    'gallery.cancelUpscale': ({ taskId }) => ({ cancelled: upscales.cancel(taskId) }),
    'plot.start': (spec) => plots.start(spec),
    'plot.cancel': ({ plotId }) => ({ cancelled: plots.cancel(plotId) }),
  };

  return {
    paths,
    router: new Router(handlers, logger),
    hub,
    settings,
    jobs,
    gallery,
    close: async () => {
      await jobs.close();
      await checkpoints.close();
      await upscales.close();
      gallery.close();
    },
  };
}
