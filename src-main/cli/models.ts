/**
 * `studio models list [--json]`, `studio models install REPO_ID [--revision R]
 * [--subfolder S] [--name N]` (progress on the terminal), `studio models
 * remove NAME`. Same models folder as the app (STUDIO_HOME honoured).
 */
import path from 'node:path';
import fs from 'node:fs';
import { zodRepo } from './models-args.js';
import { resolveStudioPaths } from '../paths.js';
import { SettingsStore } from '../settings/settings-store.js';
import { ModelRegistry } from '../models/model-registry.js';
import { modelRoots } from '../models/model-roots.js';
import { ModelInstaller } from '../models/model-installer.js';
import { ModelService } from '../models/model-service.js';
import { hubEndpoint } from '../models/hub-client.js';
import { convertCheckpoint } from '../engine/index.js';
import { UsageError, parseFlags } from './args.js';

export const modelsUsage =
  'studio models list [--json] | install REPO_ID [--revision R] [--subfolder S] [--name N] | convert FILE.safetensors --template DIR --out DIR | remove NAME';

function context() {
  const paths = resolveStudioPaths();
  fs.mkdirSync(paths.dataDir, { recursive: true });
  const settings = new SettingsStore(paths.dataDir);
  const { modelsDir, roots } = modelRoots(paths, settings);
  const registry = new ModelRegistry(paths.dataDir, roots);
  return { paths, modelsDir: modelsDir(), registry, settings };
}

const gib = (n: number) => `${(n / 2 ** 30).toFixed(2)} GiB`;

export async function modelsCommand(argv: string[]): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === 'list') {
    const { values } = parseFlags(rest, { json: { type: 'boolean' } });
    const { registry, settings } = context();
    const list = registry.list();
    if (values.json) {
      console.log(JSON.stringify(list, null, 2));
      return 0;
    }
    if (list.length === 0) console.log('no models');
    const def = settings.get().defaultModel;
    for (const m of list) {
      const what = m.problem
        ? `unusable: ${m.problem}`
        : `${m.family}${m.inpainting ? ' inpainting' : ''}, ${m.precision}, ${m.predictionType}`;
      console.log(
        `${m.name}${m.name === def ? ' (default)' : ''}  [${m.source}${m.linked ? ', linked' : ''}]  ${gib(m.sizeBytes)}  ${m.hash ?? ''}  ${what}`,
      );
    }
    return 0;
  }
  if (verb === 'install') {
    const { values, positionals } = parseFlags(
      rest,
      { revision: { type: 'string' }, subfolder: { type: 'string' }, name: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('give one repository id, like owner/name');
    const repo = zodRepo(positionals[0]!);
    const { modelsDir, registry } = context();
    fs.mkdirSync(modelsDir, { recursive: true });
    const controller = new AbortController();
    process.once('SIGINT', () => controller.abort());
    console.log(`installing ${repo} from ${hubEndpoint()} into ${modelsDir}`);
    const name = await new ModelInstaller(modelsDir).install(
      { repo, revision: values.revision ?? 'main', subfolder: values.subfolder, name: values.name },
      {
        signal: controller.signal,
        onProgress: (p) => {
          const pct = p.bytesTotal > 0 ? ((p.bytesDone / p.bytesTotal) * 100).toFixed(1) : '0';
          const eta = p.etaMs !== null ? `${Math.round(p.etaMs / 1000)} s left` : '';
          process.stderr.write(
            `\r${pct}%  ${gib(p.bytesDone)} / ${gib(p.bytesTotal)}  ${(p.speedBps / 2 ** 20).toFixed(1)} MiB/s  ${eta}  files ${p.filesDone}/${p.filesTotal}   `,
          );
        },
      },
    );
    process.stderr.write('\n');
    const hash = await registry.hash(path.join(modelsDir, name));
    console.log(`installed ${name}${hash ? ` (hash ${hash})` : ''}`);
    return 0;
  }
  if (verb === 'convert') {
    const { values, positionals } = parseFlags(rest, { template: { type: 'string' }, out: { type: 'string' } }, true);
    if (positionals.length !== 1) throw new UsageError('give one .safetensors checkpoint');
    if (!values.template) throw new UsageError('--template DIR (an installed model of the same family) is required');
    if (!values.out) throw new UsageError('--out DIR is required');
    const file = positionals[0]!;
    if (!fs.existsSync(file) || !fs.statSync(file).isFile()) throw new UsageError(`no file at ${file}`);
    if (!fs.existsSync(path.join(values.template, 'unet', 'model.onnx'))) {
      throw new UsageError(`--template: ${values.template} is not a model folder`);
    }
    const started = Date.now();
    const result = await convertCheckpoint(file, values.template, values.out, {
      onProgress: (p) =>
        process.stderr.write(`\r${p.part === 'done' ? 'done' : `writing ${p.part}`} (${p.done}/${p.total})      `),
    });
    process.stderr.write('\n');
    console.log(
      `converted ${path.basename(file)} (${result.family}, ${result.parameters} weights) into ${values.out} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
    return 0;
  }
  if (verb === 'remove') {
    const { positionals } = parseFlags(rest, {}, true);
    if (positionals.length !== 1) throw new UsageError('give one model name');
    const { modelsDir, registry } = context();
    new ModelService(
      () => {},
      registry,
      () => modelsDir,
    ).delete(positionals[0]!);
    console.log(`removed ${positionals[0]}`);
    return 0;
  }
  throw new UsageError(`unknown models command ${JSON.stringify(verb ?? '')}`);
}
