import { describe, expect, it } from 'vitest';
import { promptAt, promptSchedule } from './prompt-schedule.js';

describe("A1111's prompt editing and alternation", () => {
  it('switches [from:to:when] at a step number or a fraction of the steps', () => {
    expect(promptSchedule('a [cat:dog:10] in the snow', 20)).toEqual([
      { endStep: 10, text: 'a cat in the snow' },
      { endStep: 20, text: 'a dog in the snow' },
    ]);
    expect(promptSchedule('[cat:dog:0.25]', 20)).toEqual([
      { endStep: 5, text: 'cat' },
      { endStep: 20, text: 'dog' },
    ]);
    // 0: the second text from the start; past the steps: the first throughout.
    expect(promptSchedule('[a red circle:a blue circle:0]', 20)).toEqual([{ endStep: 20, text: 'a blue circle' }]);
    expect(promptSchedule('[a red circle:a blue circle:99]', 20)).toEqual([{ endStep: 20, text: 'a red circle' }]);
    // A decimal point makes it a fraction, whatever its value: 1.0 is every step.
    expect(promptSchedule('[cat:dog:1.0]', 8)).toEqual([{ endStep: 8, text: 'cat' }]);
  });

  it('adds with [to:when], removes with [from::when], and nests', () => {
    expect(promptSchedule('a castle[, at night:5]', 10).map((e) => e.text)).toEqual(['a castle', 'a castle, at night']);
    expect(promptSchedule('a castle[, at night::5]', 10).map((e) => e.text)).toEqual([
      'a castle, at night',
      'a castle',
    ]);
    expect(promptSchedule('[a [red:blue:2] ball:a cube:4]', 6)).toEqual([
      { endStep: 2, text: 'a red ball' },
      { endStep: 4, text: 'a blue ball' },
      { endStep: 6, text: 'a cube' },
    ]);
  });

  it('alternates [a|b|c] every step', () => {
    expect(promptSchedule('a [cat|dog|fox]', 4).map((e) => e.text)).toEqual(['a cat', 'a dog', 'a fox', 'a cat']);
  });

  it('leaves emphasis, plain brackets, escapes, LoRA tags and unbalanced text as they are', () => {
    for (const p of ['(a cat:1.3), [blurry], \\[not\\] <lora:detail:0.8>', 'a cat (unclosed', 'weights (x:1.2) [y]'])
      expect(promptSchedule(p, 20)).toEqual([{ endStep: 20, text: p }]);
    expect(promptSchedule('[(red:1.2):blue:3]', 5)[0]!.text).toBe('(red:1.2)');
  });

  it("picks a model call's text as A1111's denoiser does: the first entry ending at or after the call", () => {
    const s = promptSchedule('[cat:dog:10]', 20);
    expect([0, 10, 11, 19].map((c) => promptAt(s, c))).toEqual(['cat', 'cat', 'dog', 'dog']);
  });
});
