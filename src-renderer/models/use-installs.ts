import { useEffect, useState } from 'react';
import type { z } from 'zod';
import type { zInstallDone, zInstallProgress } from '../../src-shared/domain/models.js';
import { client } from '../api/client.js';

type Progress = z.infer<typeof zInstallProgress>;
type Done = z.infer<typeof zInstallDone>;

export interface InstallView {
  installId: string;
  repo: string;
  progress: Progress | null;
  done: Done | null;
}

/** Installs started from this window, with their live progress and outcome. */
export function useInstalls(onFinished: () => void) {
  const [installs, setInstalls] = useState<InstallView[]>([]);
  useEffect(() => {
    const offP = client.on('models.installProgress', (p) =>
      setInstalls((list) => list.map((i) => (i.installId === p.installId ? { ...i, progress: p } : i))),
    );
    const offD = client.on('models.installDone', (d) => {
      setInstalls((list) => list.map((i) => (i.installId === d.installId ? { ...i, done: d } : i)));
      onFinished();
    });
    return () => {
      offP();
      offD();
    };
  }, [onFinished]);
  const start = async (repo: string, revision: string, subfolder: string) => {
    const { installId } = await client.invoke('models.install', {
      repo,
      revision: revision || 'main',
      subfolder: subfolder || undefined,
    });
    setInstalls((list) => [{ installId, repo, progress: null, done: null }, ...list]);
  };
  const cancel = (installId: string) => void client.invoke('models.cancelInstall', { installId });
  return { installs, start, cancel };
}
