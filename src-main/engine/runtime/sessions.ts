/**
 * Creating ONNX Runtime sessions with provider fallback: asking for a
 * provider whose libraries are missing throws instead of falling back, so
 * each provider is tried in order and every failure is reported.
 */
import * as ort from 'onnxruntime-node';
import type { ProviderName } from '../../../src-shared/domain/settings.js';
import { executionProvidersFor } from './providers.js';

export interface OpenedSession {
  session: ort.InferenceSession;
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

export async function openSession(
  file: string,
  order: readonly ProviderName[],
  tuning: SessionTuning = {},
): Promise<OpenedSession> {
  const fallbacks: OpenedSession['fallbacks'] = [];
  for (const provider of order) {
    try {
      const options: ort.InferenceSession.SessionOptions = {
        executionProviders: executionProvidersFor(provider, tuning.providerOptions),
        graphOptimizationLevel: 'all',
        ...(provider === 'dml' ? { enableMemPattern: false, executionMode: 'sequential' as const } : {}),
        ...(tuning.intraOpNumThreads ? { intraOpNumThreads: tuning.intraOpNumThreads } : {}),
        ...(tuning.enableCpuMemArena !== undefined ? { enableCpuMemArena: tuning.enableCpuMemArena } : {}),
      };
      const session = await ort.InferenceSession.create(file, options);
      return { session, provider, fallbacks };
    } catch (err) {
      fallbacks.push({ provider, reason: shortReason(err) });
    }
  }
  const detail = fallbacks.map((f) => `${f.provider}: ${f.reason}`).join('; ');
  throw Object.assign(new Error(`no execution provider could open ${file}: ${detail}`), { fallbacks });
}
