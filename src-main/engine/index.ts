/**
 * The engine's one entry: Stable Diffusion on ONNX Runtime, from a model
 * folder and a request to pictures. Everything outside src-main/engine
 * imports from here (the architecture test holds it); the engine itself knows
 * nothing of jobs, the gallery, PNG metadata or IPC.
 */

// Models: read a folder, describe it, load its sessions.
export { readModelFolder, type ModelFolder } from './model/model-folder.js';
export { describeModel, type ModelDescription, type ModelFamily } from './model/family.js';
export { readTextEncoder, readUnet } from './model/signatures.js';
export { hashModelFolder, shortHash } from './model/model-hash.js';
export { LoadedModel } from './model/loaded-model.js';
export { redactPaths } from './redact-paths.js';

// Generation.
export {
  runPipeline,
  sdxlTimeIds,
  type PipelineImage,
  type PipelineOptions,
  type PipelineRequest,
  type StepInfo,
} from './pipeline/pipeline.js';
export { decodePngToRgb, encodePng, type RgbImage } from './pipeline/images.js';
export { outpaintCanvas, type OutpaintPads } from './pipeline/outpaint.js';
export { maskedBox } from './pipeline/only-masked.js';
export { encodePromptPair } from './pipeline/text-conditioning.js';
export { OnnxUpscaler, type UpscaleOptions } from './upscale/upscaler.js';
export { resizeLanczos } from './upscale/resample.js';
export { concatFloat32 } from './float32.js';

// Prompts.
export { ClipTokenizer } from './tokenizer/clip-tokenizer.js';
export { chunkPrompt } from './prompt/prompt-chunks.js';
export { promptAt, promptSchedule } from './prompt/prompt-schedule.js';
export { splitAnd } from './prompt/composable.js';
export { parsePromptAttention } from './prompt/attention-parser.js';
export { hypernetTags, loraTags, type LoraTag } from '../../src-shared/domain/network-tags.js';

// Noise.
export { TorchCpuGenerator, TorchCudaGenerator, createGenerator } from './rng/index.js';

// Runtime: execution providers and session options.
export { availableProviders, listBackends, providerOrder, providerStatuses } from './runtime/providers.js';
export { sessionTuning, type SessionTuning } from './runtime/sessions.js';
export { type GraphIoDeclared, type GraphValue, readGraphIo } from './runtime/graph-io.js';
export { ORT_VERSION } from './runtime/ort-version.js';

// Conformance with the Python references.
export type { CaseResult } from './conformance/conformance-result.js';
export { imageDifference, runPipelineCases } from './conformance/pipeline-cases.js';
export { runRandnCases } from './conformance/randn-cases.js';
export { runSchedulerCases } from './conformance/scheduler-cases.js';
export { runKdiffusionCases } from './conformance/kdiffusion-cases.js';
export { runSdxlCases, type SdxlCase } from './conformance/sdxl-cases.js';
export { runTokenizerCases } from './conformance/tokenizer-cases.js';

// Weights: ONNX protobuf at the wire level.
export { FileCursor, fields } from './weights/protobuf.js';
export { WeightFileError } from './weights/errors.js';
export { type ModelAdditions, type ModelVariant, hasAdditions, prepareModelVariant } from './weights/model-variant.js';
export {
  convertCheckpoint,
  checkpointFamily,
  fileSha256,
  fitsTemplate,
  ldmContextOf,
  openCheckpoint,
  type WeightSource,
  partialDirOf,
  TEMPLATE_FAMILIES,
  type CheckpointFamily,
  type ConvertProgress,
} from './weights/checkpoint.js';
export { writeCheckpoint, type CheckpointLayout } from './weights/checkpoint-writer.js';
export { embeddingFamily, loraFamily, loraFileFormat } from './weights/file-family.js';
export { indexPart, MODEL_PARTS, paramValues, torchDims } from './weights/model-parts.js';
export { ldmKey } from './weights/ldm-names.js';
export { indexOnnxGraph, readTensor } from './weights/onnx-graph.js';
export { embeddingName, readInversion } from './weights/inversion.js';
export {
  SafetensorsFile,
  writeSafetensorsStreamed,
  fileShortHash,
  loraShortHash,
  writeSafetensors,
} from './weights/safetensors.js';
