/**
 * Installing a model from a Hugging Face repository that holds an ONNX
 * export: only the files the layout needs, a few at a time, resumable (HTTP
 * Range, also after an app restart: partial files stay in a download folder
 * named after the repository and commit), verified against the Hub's sizes
 * and sha256, free space checked first. The model appears only when complete:
 * the download folder is renamed into the models folder at the end. Cancel
 * removes everything it wrote.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { StudioError, isStudioError } from '../../src-shared/domain/errors.js';
import { readModelFolder } from '../engine/index.js';
import { HubClient, type HubFile } from './hub-client.js';
import { assertModelName } from './model-registry.js';

export interface InstallRequest {
  repo: string;
  revision: string;
  subfolder?: string;
  /** Folder name in the models folder; defaults to the repository's name (and subfolder). */
  name?: string;
}

export interface InstallProgress {
  bytesDone: number;
  bytesTotal: number;
  speedBps: number;
  etaMs: number | null;
  filesDone: number;
  filesTotal: number;
}

// SDXL exports add text_encoder_2/ and tokenizer_2/.
const LAYOUT_DIRS = [
  'text_encoder',
  'text_encoder_2',
  'unet',
  'vae_decoder',
  'vae_encoder',
  'tokenizer',
  'tokenizer_2',
  'scheduler',
];
const REQUIRED = [
  'unet/model.onnx',
  'text_encoder/model.onnx',
  'vae_decoder/model.onnx',
  'scheduler/scheduler_config.json',
];
/** A tokenizer is vocab.json + merges.txt, or a fast tokenizer's tokenizer.json. */
const hasTokenizer = (have: Set<string>, dir: string) =>
  have.has(`${dir}/tokenizer.json`) || (have.has(`${dir}/vocab.json`) && have.has(`${dir}/merges.txt`));
const CONCURRENCY = 4;
const RETRIES = 5;

export function defaultModelName(req: InstallRequest): string {
  const base = [req.repo.split('/')[1], req.subfolder?.replace(/\/+$/, '').split('/').pop()].filter(Boolean).join('-');
  return base.replace(/[^\w.-]+/g, '-').slice(0, 120);
}

/** The files of the layout, relative to the subfolder. */
export function selectLayoutFiles(files: HubFile[], subfolder: string | undefined): { rel: string; file: HubFile }[] {
  const prefix = subfolder ? `${subfolder.replace(/^\/+|\/+$/g, '')}/` : '';
  const picked = files
    .filter((f) => f.path.startsWith(prefix))
    .map((f) => ({ rel: f.path.slice(prefix.length), file: f }))
    .filter(({ rel }) => rel === 'model_index.json' || LAYOUT_DIRS.includes(rel.split('/')[0]!))
    .filter(({ rel }) => !rel.split('/').some((p) => p === '..' || p === ''));
  const have = new Set(picked.map((p) => p.rel));
  const missing = REQUIRED.filter((r) => !have.has(r));
  if (!hasTokenizer(have, 'tokenizer')) missing.push('tokenizer/vocab.json', 'tokenizer/merges.txt');
  if (have.has('text_encoder_2/model.onnx') && !hasTokenizer(have, 'tokenizer_2'))
    missing.push('tokenizer_2/vocab.json');
  if (missing.length > 0) {
    const where = subfolder ? ` in ${subfolder}` : '';
    throw new StudioError(
      'UNSUPPORTED_MODEL',
      `The repository has no ONNX Stable Diffusion layout${where} (missing ${missing.join(', ')}). Look for an ONNX export of the model.`,
    );
  }
  return picked;
}

async function sha256File(file: string): Promise<string> {
  const hash = crypto.createHash('sha256');
  await new Promise<void>((resolve, reject) => {
    fs.createReadStream(file)
      .on('data', (c) => hash.update(c))
      .on('end', () => resolve())
      .on('error', reject);
  });
  return hash.digest('hex');
}

export class ModelInstaller {
  constructor(
    private readonly modelsDir: string,
    private readonly hub: HubClient = new HubClient(),
  ) {}

  downloadsDir(): string {
    return path.join(this.modelsDir, '.downloads');
  }

  async install(
    req: InstallRequest,
    opts: { signal?: AbortSignal; onProgress?: (p: InstallProgress) => void } = {},
  ): Promise<string> {
    const name = req.name ?? defaultModelName(req);
    assertModelName(name);
    const target = path.join(this.modelsDir, name);
    if (fs.existsSync(target)) throw new StudioError('INVALID_INPUT', `A model named "${name}" is already installed`);
    const rev = await this.hub.revision(req.repo, req.revision, opts.signal);
    const files = selectLayoutFiles(rev.files, req.subfolder);
    const work = path.join(
      this.downloadsDir(),
      `${req.repo.replace('/', '--')}@${rev.sha}${req.subfolder ? `--${req.subfolder.replace(/[^\w.-]+/g, '-')}` : ''}`,
    );
    fs.mkdirSync(work, { recursive: true });

    const total = files.reduce((n, f) => n + Math.max(0, f.file.size), 0);
    const already = files.reduce((n, f) => n + this.bytesOnDisk(path.join(work, f.rel)), 0);
    this.checkFreeSpace(total - already);

    let done = already;
    let filesDone = 0;
    const started = Date.now();
    const startBytes = already;
    const report = () => {
      const elapsed = (Date.now() - started) / 1000;
      const speed = elapsed > 0 ? (done - startBytes) / elapsed : 0;
      opts.onProgress?.({
        bytesDone: done,
        bytesTotal: total,
        speedBps: speed,
        etaMs: speed > 0 ? ((total - done) / speed) * 1000 : null,
        filesDone,
        filesTotal: files.length,
      });
    };
    report();
    try {
      const queue = [...files];
      const worker = async () => {
        for (let next = queue.shift(); next; next = queue.shift()) {
          await this.fetchFile(req.repo, rev.sha, next.file, path.join(work, next.rel), opts.signal, (n) => {
            done += n;
            report();
          });
          filesDone += 1;
          report();
        }
      };
      await Promise.all(Array.from({ length: Math.min(CONCURRENCY, files.length) }, worker));
      readModelFolder(work); // complete and readable before it is registered
      fs.renameSync(work, target);
      return name;
    } catch (err) {
      if (opts.signal?.aborted || (isStudioError(err) && err.code === 'CANCELLED')) {
        fs.rmSync(work, { recursive: true, force: true });
        throw new StudioError('CANCELLED', 'Install cancelled');
      }
      throw err;
    }
  }

  private bytesOnDisk(finalPath: string): number {
    if (fs.existsSync(finalPath)) return fs.statSync(finalPath).size;
    return fs.statSync(`${finalPath}.part`, { throwIfNoEntry: false })?.size ?? 0;
  }

  private checkFreeSpace(needed: number): void {
    try {
      const st = fs.statfsSync(this.modelsDir);
      const free = st.bavail * st.bsize;
      if (free < needed + 64 * 2 ** 20) {
        throw new StudioError(
          'INVALID_INPUT',
          `Not enough free disk space: the model needs ${(needed / 2 ** 30).toFixed(2)} GiB more, ${(free / 2 ** 30).toFixed(2)} GiB are free`,
        );
      }
    } catch (err) {
      if (isStudioError(err)) throw err;
      // statfs is unavailable on some platforms: the download itself will fail loudly if the disk fills.
    }
  }

  /** Downloads one file to `dest`, resuming `dest.part`, verifying size and sha256. */
  private async fetchFile(
    repo: string,
    sha: string,
    file: HubFile,
    dest: string,
    signal: AbortSignal | undefined,
    onBytes: (n: number) => void,
  ): Promise<void> {
    if (fs.existsSync(dest)) return;
    fs.mkdirSync(path.dirname(dest), { recursive: true });
    const part = `${dest}.part`;
    for (let attempt = 0; ; attempt++) {
      const have = fs.statSync(part, { throwIfNoEntry: false })?.size ?? 0;
      if (file.size < 0 || have < file.size) {
        try {
          await this.download(this.hub.fileUrl(repo, sha, file.path), part, have, signal, onBytes);
        } catch (err) {
          if (signal?.aborted) throw new StudioError('CANCELLED', 'Install cancelled');
          if (isStudioError(err) || attempt >= RETRIES)
            throw isStudioError(err)
              ? err
              : new StudioError('INTERNAL', `Download of ${file.path} failed: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 200 * 2 ** attempt));
          continue; // resume from what arrived
        }
      }
      const size = fs.statSync(part).size;
      if (file.size >= 0 && size !== file.size) {
        if (attempt >= RETRIES)
          throw new StudioError('BROKEN_MODEL', `${file.path}: got ${size} bytes, the hub lists ${file.size}`);
        if (size > file.size) fs.rmSync(part);
        continue;
      }
      if (file.sha256 && (await sha256File(part)) !== file.sha256) {
        fs.rmSync(part, { force: true });
        throw new StudioError(
          'BROKEN_MODEL',
          `${file.path} does not match the sha256 the hub publishes; the download was discarded`,
        );
      }
      fs.renameSync(part, dest);
      return;
    }
  }

  private async download(
    url: string,
    part: string,
    from: number,
    signal: AbortSignal | undefined,
    onBytes: (n: number) => void,
  ): Promise<void> {
    const res = await fetch(url, { headers: this.hub.headers(from > 0 ? { Range: `bytes=${from}-` } : {}), signal });
    if (res.status === 401 || res.status === 403)
      throw new StudioError('UNAUTHORIZED', 'The hub refused the download (token needed?)');
    if (res.status === 404) throw new StudioError('NOT_FOUND', `The hub has no file at ${new URL(url).pathname}`);
    if (res.status === 416) return; // nothing left to send
    if (!res.ok || !res.body) throw new Error(`HTTP ${res.status}`);
    // 200 to a ranged request means the server restarted the file: start over.
    const append = from > 0 && res.status === 206;
    const out = fs.createWriteStream(part, { flags: append ? 'a' : 'w' });
    if (!append && from > 0) onBytes(-from);
    try {
      for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
        if (!out.write(chunk)) await new Promise<void>((r) => out.once('drain', () => r()));
        onBytes(chunk.length);
      }
    } finally {
      await new Promise<void>((resolve) => out.end(resolve));
    }
  }
}
