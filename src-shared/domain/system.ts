import { z } from 'zod';

export const zBackendInfo = z.object({
  name: z.string(),
  /** Shipped inside onnxruntime-node; unbundled ones need extra libraries. */
  bundled: z.boolean(),
  /** Whether the studio can use it on this machine, and if not, why (null when usable). */
  usable: z.boolean(),
  reason: z.string().nullable(),
});

export const zSystemInfo = z.object({
  appVersion: z.string(),
  versions: z.object({
    node: z.string(),
    electron: z.string().nullable(),
    chrome: z.string().nullable(),
    onnxruntime: z.string(),
    sqlite: z.string().nullable(),
  }),
  platform: z.string(),
  arch: z.string(),
  /** Every execution provider the studio knows or onnxruntime-node lists, with what works here. */
  providers: z.array(zBackendInfo),
  gpuName: z.string().nullable(),
  modelsDir: z.string(),
  dataDir: z.string(),
  /** 'electron' in the desktop app, 'host' for `studio serve`. */
  shell: z.enum(['electron', 'host']),
});
export type SystemInfo = z.infer<typeof zSystemInfo>;
