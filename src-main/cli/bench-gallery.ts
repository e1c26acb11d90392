/**
 * `studio bench gallery`: search speed on a large gallery and import speed,
 * measured on a throwaway gallery in a temp folder (the user's is untouched).
 * Rows are inserted directly (search reads only the database); the import
 * half writes real PNGs with A1111 metadata through the normal import path.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import sharp from 'sharp';
import { SAMPLER_NAMES } from '../../src-shared/domain/samplers.js';
import { GalleryService } from '../gallery/gallery-service.js';
import { searchGallery } from '../gallery/search.js';
import { withTextChunks } from '../pngmeta/png-chunks.js';
import { formatInfotext } from '../pngmeta/a1111-parameters.js';
import { intFlag, parseFlags } from './args.js';

const WORDS = (
  'red green blue yellow orange purple white black circle square triangle star ring castle forest mountain river ocean city street portrait ' +
  'landscape sunset sunrise night day cat dog horse dragon knight wizard robot astronaut spaceship planet galaxy flower garden tree snow rain ' +
  'fog cinematic detailed masterpiece quality lighting soft hard dramatic moody bright dark vintage modern futuristic ancient painting photo ' +
  'sketch watercolor oil anime realistic surreal abstract minimal large small left right top bottom center background glowing neon golden ' +
  'silver crystal glass stone wood metal fire ice storm cloud desert jungle island lake bridge tower temple ruins village market cafe library'
).split(' ');

function rng(seed: number) {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function percentile(samples: number[], p: number): number {
  const s = [...samples].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]!;
}

export async function benchGalleryCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    items: { type: 'string' },
    imports: { type: 'string' },
    json: { type: 'string' },
  });
  const items = intFlag('items', values.items, 100, 2_000_000) ?? 100_000;
  const imports = intFlag('imports', values.imports, 0, 100_000) ?? 1000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'studio-bench-gallery-'));
  const gallery = new GalleryService(dir, { role: 'owner' });
  const rand = rng(42);
  const pick = <T>(a: readonly T[]) => a[Math.floor(rand() * a.length)]!;
  try {
    // 1. Fill.
    let t = performance.now();
    const insert = gallery.store.db.prepare(
      `INSERT INTO generations (created_at, mode, prompt, negative_prompt, model_name, sampler, steps, cfg_scale, seed, rng, width, height, image_file, favourite)
       VALUES (?, 'txt2img', ?, ?, ?, ?, 20, 7, ?, 'cpu', ?, ?, ?, ?)`,
    );
    const start = Date.now() - items * 1000;
    gallery.store.db.transaction(() => {
      for (let i = 0; i < items; i++) {
        const prompt = Array.from({ length: 8 + Math.floor(rand() * 18) }, () => pick(WORDS)).join(' ');
        const negative = rand() < 0.5 ? Array.from({ length: 3 }, () => pick(WORDS)).join(', ') : '';
        const size = pick([512, 768, 1024]);
        insert.run(
          start + i * 1000,
          prompt,
          negative,
          pick(['sd15', 'dreamshaper', 'shapes', 'turbo']),
          pick(SAMPLER_NAMES),
          i,
          size,
          size,
          `images/00/${i.toString(16).padStart(64, '0')}.png`,
          rand() < 0.05 ? 1 : 0,
        );
      }
    })();
    gallery.store.db.pragma('optimize');
    const fillMs = performance.now() - t;

    // 2. Searches: single words, AND pairs, phrases, prefixes, NOT; first page of 100, newest first.
    const queries = Array.from({ length: 200 }, (_, i) => {
      const a = pick(WORDS);
      const b = pick(WORDS);
      return [a, `${a} AND ${b}`, `"${a} ${b}"`, `${a.slice(0, 3)}*`, `${a} NOT ${b}`][i % 5]!;
    });
    const ftsMs: number[] = [];
    for (const query of queries) {
      t = performance.now();
      searchGallery(gallery.store, { query, limit: 100 });
      ftsMs.push(performance.now() - t);
    }
    // 3. First page with filters (no text), and a deep page by cursor.
    const filterMs: number[] = [];
    const filterSets = [
      { model: 'sd15' },
      { favourite: true },
      { sampler: 'euler_a' as const, width: 512 },
      { model: 'turbo', favourite: true },
      { sort: 'oldest' as const },
      {},
    ];
    for (let r = 0; r < 30; r++) {
      for (const f of filterSets) {
        t = performance.now();
        searchGallery(gallery.store, { ...f, limit: 100 });
        filterMs.push(performance.now() - t);
      }
    }
    let cursor: string | undefined;
    t = performance.now();
    for (let page = 0; page < 50; page++)
      cursor = searchGallery(gallery.store, { limit: 100, cursor }).nextCursor ?? undefined;
    const pageMs = (performance.now() - t) / 50;

    // 4. Import real PNGs with A1111 metadata.
    const srcDir = path.join(dir, 'import-src');
    fs.mkdirSync(srcDir);
    for (let i = 0; i < imports; i++) {
      const png = await sharp({
        create: { width: 64, height: 64, channels: 3, background: { r: i % 256, g: (i >> 8) % 256, b: 99 } },
      })
        .png()
        .toBuffer();
      const text = formatInfotext({
        prompt: `imported ${pick(WORDS)} ${pick(WORDS)}`,
        negativePrompt: '',
        steps: 20,
        sampler: 'euler_a',
        cfgScale: 7,
        seed: i,
        width: 64,
        height: 64,
        rng: 'gpu',
      });
      fs.writeFileSync(path.join(srcDir, `${i}.png`), withTextChunks(png, { parameters: text }));
    }
    t = performance.now();
    const result = await gallery.importPaths([srcDir]);
    const importMs = performance.now() - t;

    const report = {
      machine: {
        cpu: os.cpus()[0]?.model ?? 'unknown',
        cores: os.cpus().length,
        platform: `${os.platform()} ${os.arch()}`,
      },
      items,
      fillSeconds: fillMs / 1000,
      ftsSearchMs: {
        p50: percentile(ftsMs, 50),
        p95: percentile(ftsMs, 95),
        max: Math.max(...ftsMs),
        queries: ftsMs.length,
      },
      filteredFirstPageMs: {
        p50: percentile(filterMs, 50),
        p95: percentile(filterMs, 95),
        max: Math.max(...filterMs),
        queries: filterMs.length,
      },
      keysetPageMs: pageMs,
      import: {
        files: result.imported.length,
        failed: result.failed.length,
        seconds: importMs / 1000,
        perSecond: result.imported.length / (importMs / 1000),
      },
    };
    console.log(`gallery of ${items} generations on ${report.machine.cores} cores ${report.machine.cpu}`);
    console.log(
      `FTS search, first page of 100: p50 ${report.ftsSearchMs.p50.toFixed(2)} ms, p95 ${report.ftsSearchMs.p95.toFixed(2)} ms, max ${report.ftsSearchMs.max.toFixed(2)} ms (${ftsMs.length} queries)`,
    );
    console.log(
      `filtered first page of 100: p50 ${report.filteredFirstPageMs.p50.toFixed(2)} ms, p95 ${report.filteredFirstPageMs.p95.toFixed(2)} ms`,
    );
    console.log(`keyset page (newest, 100 items), averaged over 50 pages: ${pageMs.toFixed(2)} ms`);
    console.log(
      `import of ${result.imported.length} PNGs with metadata: ${report.import.seconds.toFixed(1)} s (${report.import.perSecond.toFixed(0)} files/s, thumbnails included)`,
    );
    if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2));
    return 0;
  } finally {
    gallery.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
