import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

/** onnxruntime-node's version, recorded with every generation. */
export const ORT_VERSION: string = (() => {
  try {
    return (require('onnxruntime-node/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();
