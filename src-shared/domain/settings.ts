import { z } from 'zod';

/** ONNX Runtime execution providers the studio can use, fastest first: the order Auto tries them in. */
export const PROVIDERS = [
  { name: 'cuda', label: 'CUDA' },
  { name: 'dml', label: 'DirectML' },
  { name: 'webgpu', label: 'WebGPU' },
  { name: 'cpu', label: 'CPU' },
] as const;
export const PROVIDER_NAMES = PROVIDERS.map((p) => p.name) as [ProviderName, ...ProviderName[]];
export type ProviderName = (typeof PROVIDERS)[number]['name'];
export const zProviderName = z.enum(PROVIDER_NAMES);

export const zProviderPreference = z.enum(['auto', ...PROVIDER_NAMES]);
export type ProviderPreference = z.infer<typeof zProviderPreference>;

export const zRngMode = z.enum(['cpu', 'gpu']);
export type RngMode = z.infer<typeof zRngMode>;

export const zTheme = z.enum(['dark', 'light', 'auto']);

/** Persisted user settings. Every field has a default so old files keep loading. */
export const zSettings = z.object({
  theme: zTheme.default('dark'),
  providerPreference: zProviderPreference.default('auto'),
  rngMode: zRngMode.default('cpu'),
  defaultModel: z.string().max(200).nullable().default(null),
  /** CPU threads for inference; null for all cores (ONNX Runtime's default). */
  cpuThreads: z.number().int().min(1).max(256).nullable().default(null),
  /**
   * A model's own choice of replacement VAE (model name -> a file of the models folder's vae/), taken by the
   * Generate page when that model is chosen; a generation records the VAE it ran with.
   */
  modelVaes: z
    .record(
      z.string().min(1).max(200),
      z
        .string()
        .max(200)
        .regex(/^[^/\\\0.][^/\\\0]*$/, 'must be a file name from the models folder'),
    )
    .refine((r) => Object.keys(r).length <= 1000, 'at most 1000 models')
    .default({}),
  /** Absolute path of the user's models folder; null for the default in the data folder. */
  modelsDir: z
    .string()
    .max(4096)
    .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'must be an absolute path')
    .nullable()
    .default(null),
});
export type Settings = z.infer<typeof zSettings>;

type SettingsShape = typeof zSettings.shape;
/**
 * A partial update: only the keys given change. Built from the fields without
 * their defaults: zod fills a missing defaulted key in even under .partial(),
 * which made every save reset the settings it did not name.
 */
export const zSettingsPatch = z
  .object(
    Object.fromEntries(Object.entries(zSettings.shape).map(([k, v]) => [k, v.unwrap().optional()])) as {
      [K in keyof SettingsShape]: z.ZodOptional<ReturnType<SettingsShape[K]['unwrap']>>;
    },
  )
  .strict();
export type SettingsPatch = z.infer<typeof zSettingsPatch>;
