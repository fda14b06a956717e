import { createContext, useCallback, useContext, useEffect, useRef, useState } from 'react';
import type { ApiClient } from './api-client';

export const ApiClientContext = createContext<ApiClient | null>(null);

export function useApiClient(): ApiClient {
  const client = useContext(ApiClientContext);
  if (!client) throw new Error('useApiClient outside ApiClientContext');
  return client;
}

export type ApiState<T> =
  | { status: 'loading'; data: T | null; error: null; reload: () => void }
  | { status: 'success'; data: T; error: null; reload: () => void }
  | { status: 'error'; data: T | null; error: Error; reload: () => void };

/** Answers kept for a short while so moving between tabs and back does not refetch. */
const CACHE_MS = 60_000;
const CACHE_MAX = 200;
const cache = new Map<string, { at: number; value: unknown }>();

export function clearApiCache(): void {
  cache.clear();
}

function cached<T>(key: string): T | undefined {
  const hit = cache.get(key);
  if (!hit) return undefined;
  if (Date.now() - hit.at > CACHE_MS) {
    cache.delete(key);
    return undefined;
  }
  return hit.value as T;
}

function remember(key: string, value: unknown): void {
  cache.delete(key);
  cache.set(key, { at: Date.now(), value });
  if (cache.size > CACHE_MAX) {
    const oldest = cache.keys().next().value;
    if (oldest !== undefined) cache.delete(oldest);
  }
}

/**
 * Loads `key` with `load` (a call on the API client), cancelling the previous request when the key
 * changes. `key` null means "not yet" (missing inputs): the state stays loading without a request.
 */
export function useApi<T>(
  key: string | null,
  load: (client: ApiClient, signal: AbortSignal) => Promise<T>,
): ApiState<T> {
  const client = useApiClient();
  const loadRef = useRef(load);
  loadRef.current = load;
  const [nonce, setNonce] = useState(0);
  const [state, setState] = useState<{
    key: string | null;
    data: T | null;
    error: Error | null;
    done: boolean;
  }>(() => {
    const hit = key === null ? undefined : cached<T>(key);
    return { key, data: hit ?? null, error: null, done: hit !== undefined };
  });
  const reload = useCallback(() => {
    if (key !== null) cache.delete(key);
    setNonce((n) => n + 1);
  }, [key]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: nonce forces a refetch on reload
  useEffect(() => {
    if (key === null) {
      setState({ key, data: null, error: null, done: false });
      return;
    }
    const hit = cached<T>(key);
    if (hit !== undefined) {
      setState({ key, data: hit, error: null, done: true });
      return;
    }
    const controller = new AbortController();
    // Keep showing the previous answer (dimmed) while the next one loads.
    setState((s) => ({ key, data: s.data, error: null, done: false }));
    loadRef.current(client, controller.signal).then(
      (value) => {
        if (controller.signal.aborted) return;
        remember(key, value);
        setState({ key, data: value, error: null, done: true });
      },
      (error: unknown) => {
        if (controller.signal.aborted) return;
        setState((s) => ({ key, data: s.data, error: error as Error, done: true }));
      },
    );
    return () => controller.abort();
  }, [key, client, nonce]);

  const current = state.key === key;
  if (!current && key !== null) {
    const hit = cached<T>(key);
    if (hit !== undefined) return { status: 'success', data: hit, error: null, reload };
  }
  if (current && state.error) return { status: 'error', data: state.data, error: state.error, reload };
  if (current && state.done && state.data !== null) {
    return { status: 'success', data: state.data, error: null, reload };
  }
  return { status: 'loading', data: state.data, error: null, reload };
}
