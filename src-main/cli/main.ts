/**
 * `studio`: the command line. Each subcommand lives in its own file; this one
 * only dispatches and turns usage mistakes into a one-line message and exit 2.
 */
import { UsageError } from './args.js';
import { type ErrorCode, isStudioError } from '../../src-shared/domain/errors.js';

/** Errors in what the user gave (flags, files, models): exit 2. Anything else that fails: exit 1. */
const INPUT_ERRORS = new Set<ErrorCode>([
  'INVALID_INPUT',
  'BAD_SIZE',
  'NOT_FOUND',
  'MODEL_NOT_FOUND',
  'UNSUPPORTED_MODEL',
  'BROKEN_MODEL',
]);

type Command = { run: (argv: string[]) => Promise<number>; usage: string };

// Each command is loaded when it runs, so one that needs only ONNX Runtime (bench, eval) starts
// without the native modules of the others (SQLite, sharp): e.g. on a bare GPU machine.
const commands: Record<string, () => Promise<Command>> = {
  serve: async () => {
    const m = await import('./serve.js');
    return { run: m.serveCommand, usage: m.serveUsage };
  },
  generate: async () => {
    const m = await import('./generate.js');
    return { run: m.generateCommand, usage: m.generateUsage };
  },
  plot: async () => {
    const m = await import('./plot.js');
    return { run: m.plotCommand, usage: m.plotUsage };
  },
  upscale: async () => {
    const m = await import('./upscale.js');
    return { run: m.upscaleCommand, usage: m.upscaleUsage };
  },
  conformance: async () => {
    const m = await import('./conformance.js');
    return { run: m.conformanceCommand, usage: m.conformanceUsage };
  },
  bench: async () => {
    const m = await import('./bench.js');
    return { run: m.benchCommand, usage: m.benchUsage };
  },
  models: async () => {
    const m = await import('./models.js');
    return { run: m.modelsCommand, usage: m.modelsUsage };
  },
  eval: async () => {
    const m = await import('./eval.js');
    return { run: m.evalCommand, usage: m.evalUsage };
  },
  'png-info': async () => {
    const m = await import('./gallery-commands.js');
    return { run: m.pngInfoCommand, usage: m.pngInfoUsage };
  },
  import: async () => {
    const m = await import('./gallery-commands.js');
    return { run: m.importCommand, usage: m.importUsage };
  },
  search: async () => {
    const m = await import('./gallery-commands.js');
    return { run: m.searchCommand, usage: m.searchUsage };
  },
};

async function usage(): Promise<string> {
  const all = await Promise.all(Object.values(commands).map((load) => load()));
  return ['Usage:', ...all.map((c) => `  ${c.usage}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(await usage());
    return name ? 0 : 2;
  }
  const load = commands[name];
  if (!load) {
    console.error(`studio: unknown command ${JSON.stringify(name)}\n${await usage()}`);
    return 2;
  }
  const command = await load();
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`studio ${name}: ${err.message}\n  ${command.usage}`);
      return 2;
    }
    if (isStudioError(err)) {
      console.error(`studio ${name}: ${err.message}`);
      return INPUT_ERRORS.has(err.code) ? 2 : 1;
    }
    throw err;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    console.error(`studio: ${(err as Error)?.message ?? err}`);
    process.exitCode = 1;
  },
);
