/**
 * `studio`: the command line. Each subcommand lives in its own file; this one
 * only dispatches and turns usage mistakes into a one-line message and exit 2.
 */
import { UsageError } from './args.js';
import { serveCommand, serveUsage } from './serve.js';
import { generateCommand, generateUsage } from './generate.js';
import { conformanceCommand, conformanceUsage } from './conformance.js';
import { benchCommand, benchUsage } from './bench.js';
import { modelsCommand, modelsUsage } from './models.js';
import { evalCommand, evalUsage } from './eval.js';
import { importCommand, importUsage, pngInfoCommand, pngInfoUsage, searchCommand, searchUsage } from './gallery-commands.js';
import { isStudioError } from '../../src-shared/domain/errors.js';

type Command = { run: (argv: string[]) => Promise<number>; usage: string };

const commands: Record<string, Command> = {
  serve: { run: serveCommand, usage: serveUsage },
  generate: { run: generateCommand, usage: generateUsage },
  conformance: { run: conformanceCommand, usage: conformanceUsage },
  bench: { run: benchCommand, usage: benchUsage },
  models: { run: modelsCommand, usage: modelsUsage },
  eval: { run: evalCommand, usage: evalUsage },
  'png-info': { run: pngInfoCommand, usage: pngInfoUsage },
  import: { run: importCommand, usage: importUsage },
  search: { run: searchCommand, usage: searchUsage },
};

function usage(): string {
  return ['Usage:', ...Object.values(commands).map((c) => `  ${c.usage}`)].join('\n');
}

export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`studio: unknown command ${JSON.stringify(name)}\n${usage()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (err) {
    if (err instanceof UsageError) {
      console.error(`studio ${name}: ${err.message}\n  ${command.usage}`);
      return 2;
    }
    if (isStudioError(err)) {
      console.error(`studio ${name}: ${err.message}`);
      return err.code === 'INVALID_INPUT' || err.code === 'BAD_SIZE' ? 2 : 1;
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
