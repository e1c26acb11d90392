/**
 * AUTOMATIC1111's composable diffusion: a positive prompt split at `AND`
 * into sub-prompts, each with an optional `:weight` at its end (default 1).
 * The model is run on each, and the guided prediction sums every
 * sub-prompt's pull away from the negative: uncond + cfg * sum(w_i * (cond_i - uncond)).
 * Only the positive prompt is split, as in A1111.
 */

export interface SubPrompt {
  text: string;
  weight: number;
}

/** A1111's `\bAND\b` split and its trailing-weight rule (`a cat :0.5` -> "a cat", 0.5). */
export function splitAnd(prompt: string): SubPrompt[] {
  return prompt.split(/\bAND\b/).map((part) => {
    const m = /^([\s\S]*?)(?:\s*:\s*([-+]?(?:\d+\.?|\d*\.\d+)))?\s*$/.exec(part)!;
    return { text: m[1]!, weight: m[2] === undefined ? 1 : Number(m[2]) };
  });
}
