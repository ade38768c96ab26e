// Loads one API resource for a component; reloads when `key` changes or on demand.
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, type Query } from './api';

export interface Loaded<T> {
  data: T | undefined;
  error: string | undefined;
  loading: boolean;
  reload: () => void;
}

export function useApi<T>(path: string | null, query: Query = {}): Loaded<T> {
  const key = path === null ? null : `${path}?${JSON.stringify(query)}`;
  const [state, setState] = useState<{ key: string | null; data?: T; error?: string; loading: boolean }>({
    key: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === null) return;
    let live = true;
    setState((s) => ({ ...s, key, loading: true }));
    api<T>(path, { query })
      .then((data) => live && setState({ key, data, loading: false }))
      .catch((e: Error) => live && setState({ key, error: e.message, loading: false }));
    return () => {
      live = false;
    };
  }, [key, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}
