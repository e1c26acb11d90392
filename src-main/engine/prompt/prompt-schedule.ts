/**
 * AUTOMATIC1111's prompt editing and alternation, with its meaning:
 *
 *   [from:to:when]  `from` until `when`, then `to`   [to:when]  nothing, then `to`   [from::when]  `from`, then nothing
 *   [a|b|c]         a, b, c, a, ... one per step
 *
 * `when` with a decimal point is a fraction of the steps, without one a step
 * number (A1111's default, non-"old" scheduling). The result is A1111's
 * schedule: [end step, prompt text] pairs, the text still carrying emphasis
 * and extra-network syntax for the attention parser. A prompt that does not
 * parse is one entry, as A1111 keeps it.
 */

export interface ScheduledPrompt {
  /** The last step (1-based) this text conditions. */
  endStep: number;
  text: string;
}

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'scheduled'; before: Node[]; after: Node[]; when: string }
  | { kind: 'alternate'; options: Node[][] }
  | { kind: 'group'; open: string; close: string; body: Node[] };

const NUMBER = /^\s*([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*$/;

/** Index of the bracket closing the one at `open`, or -1 (escapes skipped, nesting counted). */
function matching(s: string, open: number): number {
  const pairs: Record<string, string> = { '[': ']', '(': ')' };
  const stack = [pairs[s[open]!]!];
  for (let i = open + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[' || c === '(') stack.push(pairs[c]!);
    else if (c === ']' || c === ')') {
      if (stack[stack.length - 1] !== c) return -1;
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  return -1;
}

/** Splits at top-level occurrences of `sep` (outside brackets, not escaped). */
function splitTop(s: string, sep: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\') {
      i++;
      continue;
    }
    if (c === '[' || c === '(') depth++;
    else if (c === ']' || c === ')') depth--;
    else if (c === sep && depth === 0) {
      parts.push(s.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(s.slice(start));
  return parts;
}

function parse(s: string): Node[] {
  const nodes: Node[] = [];
  let text = '';
  const flush = () => {
    if (text) nodes.push({ kind: 'text', text });
    text = '';
  };
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === '\\' && i + 1 < s.length) {
      text += c + s[i + 1];
      i++;
      continue;
    }
    if (c !== '[' && c !== '(') {
      text += c;
      continue;
    }
    const end = matching(s, i);
    if (end < 0) {
      text += c; // unbalanced: literal, as A1111's grammar falls back to
      continue;
    }
    const inner = s.slice(i + 1, end);
    flush();
    if (c === '[') {
      const options = splitTop(inner, '|');
      const parts = splitTop(inner, ':');
      const when = parts.length >= 2 ? NUMBER.exec(parts[parts.length - 1]!) : null;
      if (options.length > 1) nodes.push({ kind: 'alternate', options: options.map(parse) });
      else if (when && parts.length <= 3) {
        const [before, after] = parts.length === 3 ? [parts[0]!, parts[1]!] : ['', parts[0]!];
        nodes.push({ kind: 'scheduled', before: parse(before), after: parse(after), when: when[1]! });
      } else nodes.push({ kind: 'group', open: '[', close: ']', body: parse(inner) });
    } else nodes.push({ kind: 'group', open: '(', close: ')', body: parse(inner) });
    i = end;
  }
  flush();
  return nodes;
}

/** A1111: "." in the number -> fraction of the steps, else a step; capped at `steps`. */
function whenStep(when: string, steps: number): number {
  const v = Number(when);
  return Math.min(steps, Math.trunc(when.includes('.') ? v * steps : v));
}

function collectSteps(nodes: Node[], steps: number, out: Set<number>): void {
  for (const n of nodes) {
    if (n.kind === 'scheduled') {
      const w = whenStep(n.when, steps);
      if (w >= 1) out.add(w);
      collectSteps(n.before, steps, out);
      collectSteps(n.after, steps, out);
    } else if (n.kind === 'alternate') {
      for (let s = 1; s <= steps; s++) out.add(s);
      for (const o of n.options) collectSteps(o, steps, out);
    } else if (n.kind === 'group') collectSteps(n.body, steps, out);
  }
}

function nodeText(n: Node, step: number, steps: number): string {
  switch (n.kind) {
    case 'text':
      return n.text;
    case 'scheduled':
      return textAt(step <= whenStep(n.when, steps) ? n.before : n.after, step, steps);
    case 'alternate':
      return textAt(n.options[(step - 1) % n.options.length]!, step, steps);
    case 'group':
      return n.open + textAt(n.body, step, steps) + n.close;
  }
}

function textAt(nodes: Node[], step: number, steps: number): string {
  return nodes.map((n) => nodeText(n, step, steps)).join('');
}

/** The prompt's schedule over `steps` sampling steps. */
export function promptSchedule(prompt: string, steps: number): ScheduledPrompt[] {
  const tree = parse(prompt);
  const at = new Set<number>([steps]);
  collectSteps(tree, steps, at);
  return [...at].sort((a, b) => a - b).map((endStep) => ({ endStep, text: textAt(tree, endStep, steps) }));
}

/**
 * The text for model call `call` (0-based), as A1111's denoiser picks it: the
 * first entry whose end step is at or after the call's index.
 */
export function promptAt(schedule: readonly ScheduledPrompt[], call: number): string {
  return (schedule.find((e) => call <= e.endStep) ?? schedule[schedule.length - 1]!).text;
}

/** True when the prompt uses editing or alternation (the conditioning may change during sampling). */
export function isScheduled(prompt: string, steps: number): boolean {
  return promptSchedule(prompt, steps).length > 1;
}
