import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FIXTURES_DIR } from '../../test-support/fixtures.js';
import { readInversion } from './inversion.js';
import { readTorchFile } from './torch-pickle.js';

const PT = path.join(FIXTURES_DIR, 'embeddings-pt');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-pt-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('.pt embeddings read without running their pickles', () => {
  const reference = readInversion(path.join(FIXTURES_DIR, 'byo', 'red-thing.safetensors'));

  it("reads A1111's layout (string_to_param) to the same vectors as the .safetensors file", () => {
    const inv = readInversion(path.join(PT, 'red-thing.pt'));
    expect([inv.name, inv.count, inv.hidden]).toEqual(['red-thing', 2, 128]);
    expect(inv.vectors).toEqual(reference.vectors);
    const root = readTorchFile(path.join(PT, 'red-thing.pt')).root as Map<string, unknown>;
    expect(root.get('name')).toBe('red-thing');
    expect(root.get('step')).toBe(500);
  });

  it("honours a tensor's strides (a transposed view saved as it is)", () => {
    const inv = readInversion(path.join(PT, 'red-thing-strided.pt'));
    expect(inv.vectors).toEqual(reference.vectors);
  });

  it('refuses a pickle that asks to run a function, and runs nothing', () => {
    fs.rmSync('/tmp/pwned', { force: true });
    expect(() => readInversion(path.join(PT, 'hostile.pt'))).toThrow(/refused to read: it asks to run posix\.system/);
    expect(fs.existsSync('/tmp/pwned')).toBe(false);
  });

  it('refuses truncated files and pre-zip .pt files with a clear error', () => {
    const bytes = fs.readFileSync(path.join(PT, 'red-thing.pt'));
    const cut = path.join(tmp, 'cut.pt');
    fs.writeFileSync(cut, bytes.subarray(0, bytes.length - 300));
    expect(() => readInversion(cut)).toThrow(/cut\.pt: (not a PyTorch zip|damaged|truncated)/);
    const legacy = path.join(tmp, 'legacy.pt');
    fs.writeFileSync(legacy, Buffer.from([0x80, 0x02, 0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8]));
    expect(() => readInversion(legacy)).toThrow(/older \.pt files cannot be read safely/);
    expect(() => readInversion(path.join(tmp, 'absent.pt'))).toThrow(/absent\.pt: cannot read/);
  });
});
