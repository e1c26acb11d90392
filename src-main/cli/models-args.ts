import { modelChannels } from '../../src-shared/domain/models.js';
import { UsageError } from './args.js';

/** A repository id as the contract accepts it (owner/name). */
export function zodRepo(value: string): string {
  const parsed = modelChannels['models.install'].input.shape.repo.safeParse(value);
  if (!parsed.success) throw new UsageError(`repository id ${JSON.stringify(value)} must look like owner/name`);
  return parsed.data;
}
