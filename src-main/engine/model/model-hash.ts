/**
 * A content hash of a model folder's weights, for A1111-style `Model hash`
 * (first 10 hex chars) and for matching imported metadata. Hashes the UNet
 * graph and its external weights, which identify the model. A model
 * converted from a single-file checkpoint answers with that file's sha256,
 * which is what A1111 shows for the same checkpoint.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

/** The sha256 a converted model records for its checkpoint file (`checkpoint.json`), or null. */
function recordedCheckpointHash(dir: string): string | null {
  try {
    const record = JSON.parse(fs.readFileSync(path.join(dir, 'checkpoint.json'), 'utf8')) as { sha256?: unknown };
    return typeof record.sha256 === 'string' && /^[0-9a-f]{64}$/.test(record.sha256) ? record.sha256 : null;
  } catch {
    return null;
  }
}

export async function hashModelFolder(dir: string): Promise<string> {
  const recorded = recordedCheckpointHash(dir);
  if (recorded) return recorded;
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
