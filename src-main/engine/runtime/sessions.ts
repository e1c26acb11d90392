/**
 * Creating ONNX Runtime sessions with provider fallback: asking for a
 * provider whose libraries are missing throws instead of falling back, so
 * each provider is tried in order and every failure is reported.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import * as ort from 'onnxruntime-node';
import { ORT_VERSION } from './ort-version.js';
import type { ProviderName } from '../../../src-shared/domain/settings.js';
import { executionProvidersFor } from './providers.js';
import { type GraphIoDeclared, type InputShapes, readGraphIo, withInputShapes } from './graph-io.js';
import { type ModelSession, ShapedSession } from './shaped-session.js';

export interface OpenedSession {
  session: ModelSession;
  provider: ProviderName;
  /** Providers tried before this one, with why each failed. */
  fallbacks: { provider: ProviderName; reason: string }[];
}

export interface SessionTuning {
  /** CPU threads for one operator; defaults to ORT's choice (all cores). */
  intraOpNumThreads?: number;
  /** CPU memory arena (ORT's default: on). */
  enableCpuMemArena?: boolean;
  /** Extra options for the GPU provider (e.g. WebGPU's preferredLayout: NHWC), for benchmarks. */
  providerOptions?: Record<string, string>;
  /**
   * Whether idle CPU worker threads keep spinning after a run (ORT's default: yes). LoadedModel lets only
   * the UNet spin (its runs come back to back: 5-12% faster loops here); the text encoders and the VAE,
   * run once per picture, never do, so their threads leave the cores to the UNet.
   */
  allowSpinning?: boolean;
  /**
   * Where CPU sessions keep their optimized graphs (ONNX Runtime's optimizedModelFilePath), so the next
   * load skips graph optimization: about half the load time of the built-in model's UNet. Off when unset.
   */
  optimizedCacheDir?: string;
  /**
   * CPU graphs up to SHAPED_GRAPH_MAX_BYTES open once per input size with the sizes fixed (ShapedSession):
   * on by default; off only to measure it.
   */
  fixedShapes?: boolean;
}

/**
 * CPU graphs up to this size (weights included) open per input size. Larger ones (an SD 1.5 UNet) keep one
 * graph for every size: a copy per size would cost their weights again and seconds to open.
 */
export const SHAPED_GRAPH_MAX_BYTES = 256 * 1024 * 1024;

/** Graphs above this size are not cached: the copy would double a large model's disk use. */
export const MAX_CACHED_GRAPH_BYTES = 1024 * 1024 * 1024;
/**
 * The cache's size limit: entries are keyed by the model file's path and time, so every LoRA variant and
 * every replaced file adds one; the least recently used go first.
 */
export const GRAPH_CACHE_LIMIT_BYTES = 4 * 1024 * 1024 * 1024;

/** Removes the least recently used entries (by file time, which a hit refreshes) until the cache fits `limit`. */
export function pruneGraphCache(dir: string, limit = GRAPH_CACHE_LIMIT_BYTES, keep?: string): void {
  let entries: { file: string; size: number; used: number }[];
  try {
    entries = fs
      .readdirSync(dir)
      .filter((f) => f.endsWith('.onnx'))
      .map((f) => {
        const st = fs.statSync(path.join(dir, f));
        return { file: path.join(dir, f), size: st.size, used: st.mtimeMs };
      })
      .sort((a, b) => b.used - a.used);
  } catch {
    return;
  }
  // The one kept counts first; the others by recency.
  let total = entries.find((e) => e.file === keep)?.size ?? 0;
  for (const e of entries) {
    if (e.file === keep) continue;
    total += e.size;
    if (total > limit) fs.rmSync(e.file, { force: true });
  }
}

/**
 * The studio's session settings: a CPU thread count (null or undefined: all
 * cores, ORT's default) and the optimized-graph cache folder.
 */
export function sessionTuning(threads: number | null | undefined, optimizedCacheDir?: string): SessionTuning {
  return {
    ...(threads ? { intraOpNumThreads: threads } : {}),
    ...(optimizedCacheDir ? { optimizedCacheDir } : {}),
  };
}

type Options = ort.InferenceSession.SessionOptions;

/** The graph with its weights: external data (a large export's model.onnx_data, a LoRA variant's link to its base) sits beside it. */
function graphBytes(file: string): number {
  const dir = path.dirname(file);
  const beside = fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((e) => e.isFile())
    .reduce((n, e) => n + fs.statSync(path.join(dir, e.name)).size, 0);
  return Math.max(fs.statSync(file).size, beside);
}

/**
 * Where the graph comes from: the file itself, or (fixed sizes) a copy made in memory. A copy's external
 * data is still found beside the original file.
 */
interface GraphSource {
  file: string;
  shapes?: InputShapes;
}

function createFrom(source: GraphSource, options: Options): Promise<ort.InferenceSession> {
  if (!source.shapes) return ort.InferenceSession.create(source.file, options);
  const model = withInputShapes(fs.readFileSync(source.file), source.shapes);
  const session = options.extra?.session as Record<string, unknown> | undefined;
  return ort.InferenceSession.create(model, {
    ...options,
    extra: {
      ...options.extra,
      session: { ...session, model_external_initializers_file_folder_path: path.dirname(source.file) },
    },
  });
}

/**
 * The CPU session from the optimized-graph cache, writing the entry on a
 * miss. Keyed by the file (path, size, mtime), the runtime's version and the
 * options, since an optimized graph holds this machine's CPU layouts. Null
 * when the file is too large or the cache cannot be used; the caller then
 * opens the file as usual.
 */
async function openThroughCache(
  source: GraphSource,
  options: Options,
  dir: string,
): Promise<ort.InferenceSession | null> {
  const { file } = source;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(file);
    // External data would be written inline into the cached graph.
    if (graphBytes(file) > MAX_CACHED_GRAPH_BYTES) return null;
  } catch {
    return null;
  }
  const key = crypto
    .createHash('sha256')
    .update(JSON.stringify([path.resolve(file), stat.size, stat.mtimeMs, ORT_VERSION, options, source.shapes ?? null]))
    .digest('hex')
    .slice(0, 32);
  const target = path.join(dir, `${key}.onnx`);
  if (fs.existsSync(target)) {
    try {
      const session = await ort.InferenceSession.create(target, { ...options, graphOptimizationLevel: 'disabled' });
      const now = new Date();
      fs.utimesSync(target, now, now); // recently used: pruned last
      return session;
    } catch {
      fs.rmSync(target, { force: true }); // damaged (a crash mid-write): made again below
    }
  }
  try {
    fs.mkdirSync(dir, { recursive: true });
    // Written under a private name and renamed into place, so a reader never sees half a graph.
    const tmp = path.join(dir, `${key}.${crypto.randomBytes(6).toString('hex')}.tmp`);
    // Graphs up to MAX_CACHED_GRAPH_BYTES fit one protobuf file: the weights stay inline.
    const session = await createFrom(source, {
      ...options,
      // ORT warns that the graph holds this CPU's layouts: that is why the key names the machine's runtime.
      logSeverityLevel: 3,
      optimizedModelFilePath: tmp,
    });
    fs.renameSync(tmp, target);
    pruneGraphCache(dir, GRAPH_CACHE_LIMIT_BYTES, target);
    return session;
  } catch {
    return null;
  }
}

/** A one-line reason without source paths, safe to show users. */
export function shortReason(err: unknown): string {
  const text = (err instanceof Error ? err.message : String(err)).split('\n')[0]!;
  if (/adapter/i.test(text)) return 'no GPU adapter found (GPU driver or Vulkan missing)';
  if (/Failed to load shared library|cannot open shared object/i.test(text)) return 'its libraries are not installed';
  return text
    .replace(/\/[^\s:]*\/([\w.-]+):\d+/g, '$1')
    .replace(/\s+/g, ' ')
    .slice(0, 160);
}

/** One graph for `provider`: from the optimized-graph cache when there is one, else made now. */
async function openGraph(
  source: GraphSource,
  provider: ProviderName,
  options: Options,
  tuning: SessionTuning,
): Promise<ort.InferenceSession> {
  const cached =
    provider === 'cpu' && tuning.optimizedCacheDir
      ? await openThroughCache(source, options, tuning.optimizedCacheDir)
      : null;
  return cached ?? (await createFrom(source, options));
}

/** The graph's declared inputs and outputs when it is to open per input size; null to open it as it is. */
function shapedIo(file: string, provider: ProviderName, tuning: SessionTuning): GraphIoDeclared | null {
  if (provider !== 'cpu' || tuning.fixedShapes === false) return null;
  try {
    return graphBytes(file) <= SHAPED_GRAPH_MAX_BYTES ? readGraphIo(file) : null;
  } catch {
    return null; // opened as it is, ONNX Runtime then says what is wrong with the file
  }
}

/**
 * The session for `file` on the first provider of `order` that opens it. A
 * small CPU graph opens per input size when first run at that size; a failure
 * then is described by `describeFailure`, as one at opening would have been.
 */
export async function openSession(
  file: string,
  order: readonly ProviderName[],
  tuning: SessionTuning = {},
  describeFailure: (reason: string, cause: unknown) => Error = (reason, cause) => new Error(reason, { cause }),
): Promise<OpenedSession> {
  const fallbacks: OpenedSession['fallbacks'] = [];
  for (const provider of order) {
    try {
      const options: Options = {
        executionProviders: executionProvidersFor(provider, tuning.providerOptions),
        graphOptimizationLevel: 'all',
        ...(provider === 'dml' ? { enableMemPattern: false, executionMode: 'sequential' as const } : {}),
        ...(tuning.intraOpNumThreads ? { intraOpNumThreads: tuning.intraOpNumThreads } : {}),
        ...(tuning.enableCpuMemArena !== undefined ? { enableCpuMemArena: tuning.enableCpuMemArena } : {}),
        ...(tuning.allowSpinning === false
          ? { extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } } }
          : {}),
      };
      const io = shapedIo(file, provider, tuning);
      if (io) {
        const session = new ShapedSession(io, (shapes) =>
          openGraph({ file, ...(shapes ? { shapes } : {}) }, provider, options, tuning).catch((err: unknown) => {
            throw describeFailure(shortReason(err), err);
          }),
        );
        return { session, provider, fallbacks };
      }
      return { session: await openGraph({ file }, provider, options, tuning), provider, fallbacks };
    } catch (err) {
      fallbacks.push({ provider, reason: shortReason(err) });
    }
  }
  const detail = fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  throw Object.assign(new Error(`no execution provider could open ${file}: ${detail}`), { fallbacks });
}
