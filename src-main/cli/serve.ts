import path from 'node:path';
import { startStudio } from '../studio.js';
import { startHost } from '../host/server.js';
import { appRoot } from '../paths.js';
import { intFlag, parseFlags } from './args.js';

export const serveUsage = 'studio serve [--host H] [--port P] [--token T]';

export async function serveCommand(argv: string[]): Promise<number> {
  const { values } = parseFlags(argv, {
    host: { type: 'string' },
    port: { type: 'string' },
    token: { type: 'string' },
  });
  const port = intFlag('port', values.port, 0, 65535) ?? 7860;
  // Last resort: a bug in one request, stream or timer is logged and the studio keeps serving its other clients.
  process.on('uncaughtException', (err) =>
    console.error(`studio serve: unexpected error (still serving): ${err.stack ?? err}`),
  );
  process.on('unhandledRejection', (err) =>
    console.error(`studio serve: unhandled rejection (still serving): ${(err as Error)?.stack ?? err}`),
  );
  const studio = await startStudio({ shell: 'host' });
  const host = await startHost(studio, {
    host: values.host,
    port,
    token: values.token ?? null,
    rendererDir: path.join(appRoot(), 'dist', 'renderer'),
  });
  const shown = host.token ? `${host.url}?token=${host.token}` : host.url;
  console.log(`Latent Studio is serving on ${shown}`);
  if (host.tokenGenerated) {
    console.log(`Bound to ${host.host}: clients must present this token (generated now): ${host.token}`);
  }
  console.log(`Data folder: ${studio.paths.dataDir}`);
  const stop = async () => {
    await host.close();
    await studio.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return new Promise<number>(() => {}); // runs until a signal
}
