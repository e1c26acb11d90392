/**
 * The only bridge between the sandboxed renderer and the main process:
 * `invoke` and `subscribe`, nothing else. Channel validation happens in main.
 */
import { contextBridge, ipcRenderer, type IpcRendererEvent, webUtils } from 'electron';
import type { EventEnvelope, ResultEnvelope, StudioBridge } from '../../src-shared/contract.js';
import { BRIDGE_EVENT, BRIDGE_INVOKE } from './window-options.js';

const bridge: StudioBridge = {
  invoke: (channel: string, input: unknown) =>
    ipcRenderer.invoke(BRIDGE_INVOKE, { channel, input }) as Promise<ResultEnvelope>,
  subscribe: (listener: (event: EventEnvelope) => void) => {
    const wrapped = (_e: IpcRendererEvent, envelope: EventEnvelope) => listener(envelope);
    ipcRenderer.on(BRIDGE_EVENT, wrapped);
    return () => {
      ipcRenderer.removeListener(BRIDGE_EVENT, wrapped);
    };
  },
  pathForFile: (file: object) => webUtils.getPathForFile(file as File),
};

contextBridge.exposeInMainWorld('studio', bridge);
