import { StudioError } from '../../../src-shared/domain/errors.js';

/**
 * A model, LoRA, embedding or checkpoint file that cannot be used as given:
 * truncated, corrupt, of another family or another width. Always the user's
 * input, so INVALID_INPUT (exit code 2 on the command line, a message in the UI).
 */
export class WeightFileError extends StudioError {
  constructor(message: string) {
    super('INVALID_INPUT', message);
  }
}
