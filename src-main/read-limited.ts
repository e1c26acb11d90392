/**
 * Reading a file someone else gave us (an image to import, a PNG to inspect):
 * only a regular file (never a device, a FIFO or a folder, even behind a
 * symlink), and only up to a size, so `/dev/zero` named `x.png` or a 20 GB
 * "image" is refused at once instead of read forever.
 */
import fs from 'node:fs';
import { StudioError } from '../src-shared/domain/errors.js';

/** Far beyond any real picture (a 16k x 16k PNG is ~1 GB only uncompressed). */
export const MAX_IMAGE_FILE_BYTES = 256 * 1024 * 1024;

export function readRegularFile(file: string, maxBytes: number): Buffer {
  let fd: number;
  try {
    // O_NONBLOCK: opening a FIFO must not wait for a writer.
    fd = fs.openSync(file, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
  } catch (err) {
    throw new StudioError('INVALID_INPUT', `cannot read ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StudioError('INVALID_INPUT', `${file} is not a regular file`);
    if (st.size > maxBytes)
      throw new StudioError(
        'INVALID_INPUT',
        `${file} is ${Math.round(st.size / 2 ** 20)} MiB, over the ${Math.round(maxBytes / 2 ** 20)} MiB limit`,
      );
    const out = Buffer.alloc(st.size);
    let read = 0;
    while (read < st.size) {
      const n = fs.readSync(fd, out, read, st.size - read, read);
      if (n === 0) break; // shrank while reading: what is there
      read += n;
    }
    return out.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}
