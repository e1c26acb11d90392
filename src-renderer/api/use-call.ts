import { useCallback, useEffect, useState } from 'react';
import type { ChannelInput, ChannelName, ChannelOutput } from '../../src-shared/contract.js';
import { client } from './client.js';

export interface CallState<T> {
  data: T | null;
  error: string | null;
  loading: boolean;
  reload: () => void;
}

/** Calls a channel on mount (and on reload) and tracks its result. */
export function useCall<K extends ChannelName>(channel: K, input: ChannelInput<K>): CallState<ChannelOutput<K>> {
  const [state, setState] = useState<{ data: ChannelOutput<K> | null; error: string | null; loading: boolean }>({
    data: null,
    error: null,
    loading: true,
  });
  const [nonce, setNonce] = useState(0);
  const key = JSON.stringify(input);
  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce is the reload trigger
  useEffect(() => {
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    client.invoke(channel, JSON.parse(key) as ChannelInput<K>).then(
      (data) => live && setState({ data, error: null, loading: false }),
      (err: Error) => live && setState({ data: null, error: err.message, loading: false }),
    );
    return () => {
      live = false;
    };
  }, [channel, key, nonce]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  return { ...state, reload };
}
