/**
 * A content hash of a model folder's weights, for A1111-style `Model hash`
 * (first 10 hex chars) and for matching imported metadata. Hashes the UNet
 * graph and its external weights, which identify the model.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export async function hashModelFolder(dir: string): Promise<string> {
  const unetDir = path.join(dir, 'unet');
  const files = fs
    .readdirSync(unetDir)
    .filter((f) => f === 'model.onnx' || f.endsWith('.onnx_data') || f === 'weights.pb')
    .sort();
  const hash = crypto.createHash('sha256');
  for (const f of files) {
    await new Promise<void>((resolve, reject) => {
      fs.createReadStream(path.join(unetDir, f))
        .on('data', (chunk) => hash.update(chunk))
        .on('end', () => resolve())
        .on('error', reject);
    });
  }
  return hash.digest('hex');
}

export const shortHash = (sha256: string) => sha256.slice(0, 10);
