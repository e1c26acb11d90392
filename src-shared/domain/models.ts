import { z } from 'zod';

export const zModelEntry = z.object({
  name: z.string(),
  source: z.enum(['user', 'builtin']),
  /** Why the folder cannot be used, or null. */
  problem: z.string().nullable(),
});
export type ModelEntry = z.infer<typeof zModelEntry>;
