import { describe, expect, it } from 'vitest';
import { AxisError, applyAxis, parseAxis } from './plot-axes.js';

describe('X/Y/Z plot axes', () => {
  it('reads lists and A1111 ranges', () => {
    expect(parseAxis('sampler=euler_a,ddim')).toEqual({ name: 'sampler', values: ['euler_a', 'ddim'] });
    expect(parseAxis('steps=5-20 (+5)').values).toEqual(['5', '10', '15', '20']);
    expect(parseAxis('seed=1-3, 10').values).toEqual(['1', '2', '3', '10']);
    expect(parseAxis('cfg=4-8 [3]').values).toEqual(['4', '6', '8']);
    expect(parseAxis('size=64x64,128x96').values).toEqual(['64x64', '128x96']);
  });
  it('says what is wrong', () => {
    for (const bad of ['steps', 'colour=red', 'sr=red', 'steps=1-5 (+0)', 'seed='])
      expect(() => parseAxis(bad), bad).toThrow(AxisError);
  });
  it('applies a value to a request; S/R replaces the first value in both prompts', () => {
    const req = { model: 'm', prompt: 'a red circle', negativePrompt: 'red blur' };
    const sr = parseAxis('sr=red,blue');
    expect(applyAxis(req, sr, 'blue')).toMatchObject({ prompt: 'a blue circle', negativePrompt: 'blue blur' });
    expect(applyAxis(req, sr, 'red')).toMatchObject({ prompt: 'a red circle' });
    expect(applyAxis(req, parseAxis('size=96x64'), '96x64')).toMatchObject({ width: 96, height: 64 });
    expect(applyAxis(req, parseAxis('cfg=3.5'), '3.5')).toMatchObject({ cfgScale: 3.5 });
  });
  it('switches the model, and sets the weight of every LoRA tag', () => {
    const req = { model: 'm', prompt: 'a cat <lora:detail:0.8>, <lora:style> <LORA:x:1:te=0.5>' };
    expect(applyAxis(req, parseAxis('model=a,b'), 'b')).toMatchObject({ model: 'b' });
    expect(parseAxis('lora-weight=0-1 [3]').values).toEqual(['0', '0.5', '1']);
    expect(applyAxis(req, parseAxis('lora-weight=0.25'), '0.25').prompt).toBe(
      'a cat <lora:detail:0.25>, <lora:style:0.25> <LORA:x:0.25:te=0.5>',
    );
    expect(() => applyAxis({ model: 'm', prompt: 'a cat' }, parseAxis('lora-weight=1'), '1')).toThrow(/no <lora/);
  });
});
