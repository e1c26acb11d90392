import { z } from 'zod';

export const PROVIDER_NAMES = ['cuda', 'dml', 'webgpu', 'cpu'] as const;
export const zProviderName = z.enum(PROVIDER_NAMES);
export type ProviderName = z.infer<typeof zProviderName>;

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
  /** Absolute path of the user's models folder; null for the default in the data folder. */
  modelsDir: z
    .string()
    .max(4096)
    .refine((p) => p.startsWith('/') || /^[A-Za-z]:[\\/]/.test(p) || p.startsWith('\\\\'), 'must be an absolute path')
    .nullable()
    .default(null),
});
export type Settings = z.infer<typeof zSettings>;

/** A partial update: only the keys given change. */
export const zSettingsPatch = zSettings.partial().strict();
export type SettingsPatch = z.infer<typeof zSettingsPatch>;
