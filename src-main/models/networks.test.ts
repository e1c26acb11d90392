import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { additionsForPrompts, deleteModelFile, missingNetworks } from './networks.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-networks-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const put = (rel: string) => {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  fs.writeFileSync(path.join(dir, rel), 'x');
};

describe('the models folder files a generation names', () => {
  put('loras/detail.safetensors');
  put('embeddings/red-thing.pt');
  put('vae/ft-mse.safetensors');

  it('resolves LoRAs from the prompt, embeddings by word (.pt too) and the VAE by name with or without extension', () => {
    const a = additionsForPrompts(dir, 'a cat <lora:detail:0.5> red-thing', '', 'ft-mse.safetensors');
    expect(a.loras).toEqual([{ file: path.join(dir, 'loras', 'detail.safetensors'), weight: 0.5 }]);
    expect(a.embeddings).toEqual([path.join(dir, 'embeddings', 'red-thing.pt')]);
    expect(a.vae).toBe(path.join(dir, 'vae', 'ft-mse.safetensors'));
    expect(additionsForPrompts(dir, 'x', '', 'ft-mse').vae).toBe(a.vae);
    expect(() => additionsForPrompts(dir, 'x', '', 'other')).toThrow(/VAE "other" is not in the models folder's vae\//);
  });

  it("names what a recorded generation used that the folder lacks (A1111's TI hashes too)", () => {
    const missing = missingNetworks(dir, {
      prompt: 'a cat <lora:detail:1> <lora:gone:0.7>',
      vae: 'kl-f8-anime.safetensors',
      metadataText: 'a cat\nSteps: 20, TI hashes: "red-thing: 0123456789ab, badhands: abcdefabcdef", Version: v1.10.1',
    });
    expect(missing).toEqual(['LoRA "gone"', 'VAE "kl-f8-anime.safetensors"', 'embedding "badhands"']);
  });

  it('deletes only a file of its kind, directly in its folder', () => {
    put('loras/spare.safetensors');
    put('loras/spare.preview.png');
    expect(deleteModelFile(dir, 'loras', 'spare.safetensors')).toBe(true);
    expect(fs.readdirSync(path.join(dir, 'loras'))).toEqual(['detail.safetensors']);
    expect(() => deleteModelFile(dir, 'loras', '../vae/ft-mse.safetensors')).toThrow(/not a loras file name/);
    expect(() => deleteModelFile(dir, 'loras', 'notes.txt')).toThrow(/not a loras file name/);
    expect(() => deleteModelFile(dir, 'vae', 'absent.safetensors')).toThrow(/No vae file/);
    expect(fs.existsSync(path.join(dir, 'vae', 'ft-mse.safetensors'))).toBe(true);
  });
});
