/**
 * The inputs and outputs an ONNX file declares, read by the engine straight
 * from its protobuf without a session or the weights (the model registry
 * describes a 3 GB UNet in milliseconds), as a user-facing error when the
 * file is not ONNX.
 */
import path from 'node:path';
import { StudioError } from '../../src-shared/domain/errors.js';
import { type GraphIoDeclared, type GraphValue, readGraphIo } from '../engine/index.js';

export type OnnxIo = GraphValue;
export type OnnxSignature = GraphIoDeclared;

/** The graph's inputs and outputs; a file that is not a readable ONNX model is BROKEN_MODEL, naming the file. */
export function readOnnxSignature(file: string): OnnxSignature {
  try {
    return readGraphIo(file);
  } catch (err) {
    throw new StudioError(
      'BROKEN_MODEL',
      `${path.basename(path.dirname(file))}/${path.basename(file)} is not a readable ONNX model (${(err as Error).message})`,
    );
  }
}
