import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { zConvertDone, zConvertProgress } from '../../src-shared/domain/models.js';
import { client } from '../api/client.js';

type Progress = z.infer<typeof zConvertProgress>;
type Done = z.infer<typeof zConvertDone>;

export interface ConvertView {
  importId: string;
  name: string;
  file: string;
  progress: Progress | null;
  done: Done | null;
}

/** Checkpoint conversions started from this window, with their live progress and outcome. */
export function useConverts(onFinished: () => void) {
  const [converts, setConverts] = useState<ConvertView[]>([]);
  useEffect(() => {
    const offP = client.on('models.convertProgress', (p) =>
      setConverts((list) => list.map((c) => (c.importId === p.importId ? { ...c, progress: p } : c))),
    );
    const offD = client.on('models.convertDone', (d) => {
      setConverts((list) => list.map((c) => (c.importId === d.importId ? { ...c, done: d } : c)));
      onFinished();
    });
    return () => {
      offP();
      offD();
    };
  }, [onFinished]);
  const start = async (path: string, name: string) => {
    const r = await client.invoke('models.convertCheckpoint', { path, name: name || undefined });
    setConverts((list) => [
      { importId: r.importId, name: r.name, file: path.split(/[\\/]/).pop() ?? path, progress: null, done: null },
      ...list,
    ]);
  };
  const cancel = (importId: string) => void client.invoke('models.cancelConvert', { importId });
  return { converts, start, cancel };
}
