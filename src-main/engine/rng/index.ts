import type { RngMode } from '../../../src-shared/domain/settings.js';
import type { NoiseGenerator } from './noise-generator.js';
import { TorchCpuGenerator } from './torch-cpu-generator.js';
import { TorchCudaGenerator } from './torch-cuda-generator.js';

export type { NoiseGenerator } from './noise-generator.js';
export { TorchCpuGenerator, TorchCudaGenerator };

export function createGenerator(mode: RngMode, seed: number): NoiseGenerator {
  return mode === 'gpu' ? new TorchCudaGenerator(seed) : new TorchCpuGenerator(seed);
}
