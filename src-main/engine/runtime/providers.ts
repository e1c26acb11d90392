/**
 * Execution providers: which ones onnxruntime-node offers here, in what order
 * the engine tries them, and the fallback when one fails to start.
 */
import * as ort from 'onnxruntime-node';
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { PROVIDER_NAMES, type ProviderName, type ProviderPreference } from '../../../src-shared/domain/settings.js';

const require = createRequire(import.meta.url);

export interface BackendInfo {
  name: string;
  bundled: boolean;
}

/** onnxruntime-node's own list for this platform (cpu, webgpu, cuda, dml, ...). */
export function listBackends(): BackendInfo[] {
  const list = (ort as unknown as { listSupportedBackends?: () => BackendInfo[] }).listSupportedBackends;
  if (typeof list !== 'function') return [{ name: 'cpu', bundled: true }];
  return list().map((b) => ({ name: b.name, bundled: b.bundled }));
}

/** The CUDA provider's libraries sit beside the binding only after the optional download. */
export function cudaLibrariesPresent(): boolean {
  try {
    const pkg = path.dirname(require.resolve('onnxruntime-node/package.json'));
    const dir = path.join(pkg, 'bin', 'napi-v6', process.platform, process.arch);
    return fs.existsSync(
      path.join(
        dir,
        process.platform === 'win32' ? 'onnxruntime_providers_cuda.dll' : 'libonnxruntime_providers_cuda.so',
      ),
    );
  } catch {
    return false;
  }
}

/**
 * On Linux, WebGPU runs on Vulkan: without the Vulkan loader there is no
 * adapter, and trying costs a second and a native warning on stderr. Other
 * platforms (Metal, D3D12) always have their backend.
 */
export function webgpuBackendPresent(): boolean {
  if (process.platform !== 'linux') return true;
  const dirs = [
    ...(process.env.LD_LIBRARY_PATH ?? '').split(':').filter(Boolean),
    `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu`,
    '/usr/lib64',
    '/usr/lib',
    '/lib64',
    '/lib',
    '/usr/local/lib',
  ];
  return dirs.some((d) => fs.existsSync(path.join(d, 'libvulkan.so.1')));
}

/** Why a provider cannot run here, or null when it can be tried. */
function unavailableBecause(name: string, listed: ReadonlySet<string>): string | null {
  if (name === 'cpu') return null;
  if (!(PROVIDER_NAMES as readonly string[]).includes(name)) return 'not used by Latent Studio';
  if (!listed.has(name)) return `onnxruntime-node has no ${name} build for ${process.platform}`;
  if (name === 'cuda' && !cudaLibrariesPresent())
    return 'the CUDA libraries are not installed (see GPU set-up in the README)';
  if (name === 'webgpu' && !webgpuBackendPresent())
    return 'no Vulkan loader (libvulkan.so.1): WebGPU needs a GPU driver with Vulkan';
  return null;
}

export interface ProviderStatus {
  name: string;
  bundled: boolean;
  usable: boolean;
  reason: string | null;
}

/** Every provider the studio knows or onnxruntime-node lists, with whether it can run here and why not. */
export function providerStatuses(): ProviderStatus[] {
  const backends = listBackends();
  const listed = new Set(backends.map((b) => b.name));
  const names = [...new Set([...PROVIDER_NAMES, ...listed])];
  return names.map((name) => {
    const reason = unavailableBecause(name, listed);
    return { name, bundled: backends.some((b) => b.name === name && b.bundled), usable: reason === null, reason };
  });
}

/** Providers that can be tried on this machine, fastest first. CPU always last. */
export function availableProviders(): ProviderName[] {
  const listed = new Set(listBackends().map((b) => b.name));
  return PROVIDER_NAMES.filter((name) => unavailableBecause(name, listed) === null);
}

/** The order to try for a preference: the preferred one first, then the rest, CPU last. */
export function providerOrder(preference: ProviderPreference | undefined): ProviderName[] {
  const available = availableProviders();
  if (!preference || preference === 'auto' || !available.includes(preference)) return available;
  return [preference, ...available.filter((p) => p !== preference)];
}

/** Session options for a provider, with the per-provider settings it needs (GPU providers take extra options). */
export function executionProvidersFor(
  name: ProviderName,
  options: Record<string, string> = {},
): ort.InferenceSession.SessionOptions['executionProviders'] {
  if (name === 'cpu') return ['cpu'];
  return [{ ...options, name } as ort.InferenceSession.ExecutionProviderConfig];
}
