/**
 * `studio conformance --fixtures DIR`: runs every case of every fixture file
 * present in DIR, prints one line per failing case, ends with
 * `N passed, M failed`; exit 1 when anything failed.
 */
import fs from 'node:fs';
import path from 'node:path';
import {
  runRandnCases,
  runSchedulerCases,
  runKdiffusionCases,
  runSdxlCases,
  runTokenizerCases,
  runPipelineCases,
  type CaseResult,
  providerOrder,
} from '../engine/index.js';
import { zProviderPreference } from '../../src-shared/domain/settings.js';
import { UsageError, parseFlags } from './args.js';
import { runByoCases } from './byo-cases.js';

export const conformanceUsage = 'studio conformance --fixtures DIR [--provider cpu|webgpu|cuda|dml] [--verbose]';

/** The tokenizer vocabulary: tokenizer/ beside the cases, or the pipeline model's. */
function tokenizerDirFor(dir: string): string | null {
  const candidates = [path.join(dir, 'tokenizer')];
  const manifest = path.join(dir, 'pipeline-refs', 'manifest.json');
  if (fs.existsSync(manifest)) {
    const model = (JSON.parse(fs.readFileSync(manifest, 'utf8')) as { model?: string }).model;
    if (model) candidates.push(path.join(path.resolve(dir, 'pipeline-refs', model), 'tokenizer'));
  }
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) candidates.push(path.join(dir, entry.name, 'tokenizer'));
  }
  return candidates.find((c) => fs.existsSync(path.join(c, 'vocab.json'))) ?? null;
}

/** A folder of bring-your-own-model cases: its manifest says `byo-fixtures/N`. */
function isByoFolder(dir: string): boolean {
  try {
    const m = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as { format?: unknown };
    return typeof m.format === 'string' && m.format.startsWith('byo-fixtures/');
  } catch {
    return false;
  }
}

export async function conformanceCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    fixtures: { type: 'string' },
    provider: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (!values.fixtures) throw new UsageError('--fixtures is required');
  const dir = path.resolve(values.fixtures);
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory())
    throw new UsageError(`--fixtures: no folder at ${values.fixtures}`);
  const pref = zProviderPreference.safeParse(values.provider ?? 'cpu');
  if (!pref.success) throw new UsageError('--provider must be cpu, webgpu, cuda or dml');

  const results: CaseResult[] = [];
  const suites: [string, () => Promise<CaseResult[]> | CaseResult[]][] = [];
  if (fs.existsSync(path.join(dir, 'tokenizer-cases.json'))) {
    suites.push([
      'tokenizer-cases.json',
      () => {
        const tokDir = tokenizerDirFor(dir);
        if (!tokDir)
          return [
            { name: 'tokenizer-cases.json', ok: false, detail: 'no tokenizer/vocab.json found beside the fixtures' },
          ];
        return runTokenizerCases(dir, tokDir);
      },
    ]);
  }
  if (fs.existsSync(path.join(dir, 'torch-randn.json'))) suites.push(['torch-randn.json', () => runRandnCases(dir)]);
  if (fs.existsSync(path.join(dir, 'schedulers.json'))) suites.push(['schedulers.json', () => runSchedulerCases(dir)]);
  if (fs.existsSync(path.join(dir, 'kdiffusion.json'))) suites.push(['kdiffusion.json', () => runKdiffusionCases(dir)]);
  if (fs.existsSync(path.join(dir, 'pipeline-refs', 'manifest.json'))) {
    suites.push(['pipeline-refs', () => runPipelineCases(dir, providerOrder(pref.data))]);
  }
  if (fs.existsSync(path.join(dir, 'sdxl-refs', 'manifest.json')))
    suites.push(['sdxl-refs', () => runSdxlCases(dir, providerOrder(pref.data))]);
  const byo = [path.join(dir, 'byo'), dir].find(isByoFolder);
  if (byo) suites.push(['byo', () => runByoCases(byo, providerOrder(pref.data))]);
  if (suites.length === 0) throw new UsageError(`no fixture files in ${values.fixtures}`);

  for (const [name, run] of suites) {
    const started = Date.now();
    let suiteResults: CaseResult[];
    try {
      suiteResults = await run();
    } catch (err) {
      suiteResults = [{ name, ok: false, detail: `could not run: ${(err as Error).message}` }];
    }
    results.push(...suiteResults);
    for (const r of suiteResults)
      if (!r.ok || values.verbose) console.log(`${r.ok ? 'ok  ' : 'FAIL'} ${r.name}${r.detail ? `: ${r.detail}` : ''}`);
    const failed = suiteResults.filter((r) => !r.ok).length;
    console.log(`# ${name}: ${suiteResults.length - failed}/${suiteResults.length} in ${Date.now() - started} ms`);
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  return failed > 0 ? 1 : 0;
}
