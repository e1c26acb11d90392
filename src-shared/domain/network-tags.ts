/**
 * AUTOMATIC1111's extra-network tags in prompts: `<lora:NAME:WEIGHT>` (also
 * `<lyco:...>`, and `<hypernet:...>`, which is not supported and only
 * removed). The tags choose what is applied to the model; they never reach
 * the tokenizer. Shared: the engine applies them, the gallery filters by them.
 */
const TAG = /<(lora|lyco|hypernet):([^:>]+)(?::([^:>]*))?(?::[^>]*)?>/gi;

export interface LoraTag {
  name: string;
  weight: number;
}

/** The LoRAs a prompt asks for, in order (a repeated name keeps its last weight). */
export function loraTags(prompt: string): LoraTag[] {
  const byName = new Map<string, number>();
  for (const m of prompt.matchAll(TAG)) {
    if (m[1]!.toLowerCase() === 'hypernet') continue;
    const weight = m[3] === undefined || m[3].trim() === '' ? 1 : Number(m[3]);
    byName.set(m[2]!.trim(), Number.isFinite(weight) ? weight : 1);
  }
  return [...byName].map(([name, weight]) => ({ name, weight }));
}

/** The hypernetworks a prompt names: not supported, so their tags are only removed (and the job says so). */
export function hypernetTags(prompt: string): string[] {
  return [...prompt.matchAll(TAG)].filter((m) => m[1]!.toLowerCase() === 'hypernet').map((m) => m[2]!.trim());
}

/** The prompt without its extra-network tags, as the text encoder sees it. */
export function withoutNetworkTags(prompt: string): string {
  return prompt.replace(TAG, '');
}
