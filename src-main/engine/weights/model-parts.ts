/**
 * The weight-bearing parts of a model folder, indexed and mapped to their
 * diffusers parameters, with a reader for current values.
 */
import fs from 'node:fs';
import path from 'node:path';
import { indexOnnxGraph, type OnnxGraphIndex, readTensor } from './onnx-graph.js';
import { type ModelPart, mapParams, type Param } from './param-map.js';
import { readParam } from './patch-writer.js';

/** Every weight-bearing part a model folder may have (`text_encoder_2`: SDXL's second text encoder). */
export const MODEL_PARTS: readonly ModelPart[] = [
  'text_encoder',
  'text_encoder_2',
  'unet',
  'vae_decoder',
  'vae_encoder',
];

export interface IndexedPart {
  part: ModelPart;
  file: string;
  index: OnnxGraphIndex;
  params: Map<string, Param>;
}

export function indexPart(dir: string, part: ModelPart): IndexedPart | null {
  const file = path.join(dir, part, 'model.onnx');
  if (!fs.existsSync(file)) return null;
  const index = indexOnnxGraph(file);
  return { part, file, index, params: mapParams(index, part) };
}

/** A parameter's current values in torch layout. */
export function paramValues(p: IndexedPart, name: string): Float32Array {
  const param = p.params.get(name);
  if (!param) throw new Error(`${p.part} has no parameter ${name}`);
  return readParam(p.index, param, (t) => readTensor(t, p.file));
}

/** Torch dims of a parameter (stored dims, reversed for transposed Linear weights). */
export function torchDims(param: Param): number[] {
  return param.sites[0]!.layout === 'transposed' ? [...param.dims].reverse() : param.dims;
}
