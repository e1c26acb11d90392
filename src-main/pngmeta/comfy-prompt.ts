/**
 * A ComfyUI `prompt` graph (API format) for a txt2img picture made with a
 * ComfyUI-exact sampler: dropped into ComfyUI it loads as a workflow with the
 * same checkpoint name, prompts, size, seed, steps, CFG, sampler and scheduler.
 * LoRA tags stay in the prompt text (ComfyUI applies LoRAs through nodes, so
 * they are not applied there), and ComfyUI weights `(word:1.2)` its own way.
 */
import { parseExactSampler } from '../../src-shared/domain/exact-samplers.js';
import type { GenerationSettings } from '../../src-shared/domain/generation.js';

/** The graph, or null when the settings are not a ComfyUI-exact txt2img. */
export function formatComfyPrompt(s: GenerationSettings, modelName: string): string | null {
  const exact = parseExactSampler(s.sampler);
  if (exact?.tool !== 'comfyui' || s.mode !== 'txt2img') return null;
  const graph = {
    '3': {
      class_type: 'KSampler',
      inputs: {
        seed: s.seed,
        steps: s.steps,
        cfg: s.cfgScale,
        sampler_name: exact.sampler,
        scheduler: exact.schedule,
        denoise: 1,
        model: ['4', 0],
        positive: ['6', 0],
        negative: ['7', 0],
        latent_image: ['5', 0],
      },
    },
    '4': { class_type: 'CheckpointLoaderSimple', inputs: { ckpt_name: `${modelName}.safetensors` } },
    '5': { class_type: 'EmptyLatentImage', inputs: { width: s.width, height: s.height, batch_size: 1 } },
    '6': { class_type: 'CLIPTextEncode', inputs: { text: s.prompt, clip: ['4', 1] } },
    '7': { class_type: 'CLIPTextEncode', inputs: { text: s.negativePrompt, clip: ['4', 1] } },
    '8': { class_type: 'VAEDecode', inputs: { samples: ['3', 0], vae: ['4', 2] } },
    '9': { class_type: 'SaveImage', inputs: { filename_prefix: 'LatentStudio', images: ['8', 0] } },
  };
  return JSON.stringify(graph);
}
