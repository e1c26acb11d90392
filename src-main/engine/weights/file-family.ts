/**
 * Which model family a LoRA or embedding file was made for, told from its
 * tensor shapes alone (the header; no weights read): the width of the text
 * the cross-attention reads is 768 for SD 1.x, 1024 for SD 2.x, 2048 for SDXL.
 */
import { SafetensorsFile } from './safetensors.js';
import { readInversion } from './inversion.js';
import { loraFormat, loraModuleShapes } from './lora.js';

const WIDTH_FAMILY: Record<number, string> = { 768: 'sd1', 1024: 'sd2', 2048: 'sdxl' };

/** A LoRA's, LoHa's or LoKr's family; throws when its modules do not fit together. */
export function loraFamily(file: string): string | null {
  const st = SafetensorsFile.open(file);
  const modules = loraModuleShapes(st);
  if (modules.some((m) => /^lora_te[12]_|text_encoder_2/.test(m.key))) return 'sdxl';
  // Cross-attention's key projection reads the text: its input width names the family.
  const toK = modules.find((m) => /attn2[._]to_k/.test(m.key)) ?? modules.find((m) => /^lora_te_.*q_proj/.test(m.key));
  return toK ? (WIDTH_FAMILY[toK.inner] ?? null) : null;
}

/** 'LoRA', 'LoHa' or 'LoKr'; throws on a file that holds none of them. */
export function loraFileFormat(file: string): string {
  return loraFormat(SafetensorsFile.open(file));
}

export function embeddingFamily(file: string): string | null {
  if (/\.safetensors$/i.test(file)) {
    const keys = [...SafetensorsFile.open(file).entries.keys()];
    if (keys.includes('clip_l') && keys.includes('clip_g')) return 'sdxl';
  }
  const width = readInversion(file).hidden;
  return width === 2048 ? null : (WIDTH_FAMILY[width] ?? null);
}
