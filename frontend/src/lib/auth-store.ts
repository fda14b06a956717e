import { useSyncExternalStore } from 'react';

/**
 * The API key the user pasted, kept in localStorage so it is asked for once per browser. A 401 clears it
 * (with a reason), which brings the key prompt back.
 */
const STORAGE_KEY = 'vigil.apiKey';

type Listener = () => void;
const listeners = new Set<Listener>();
let reason: string | null = null;
let memoryKey: string | null = null;

function storage(): Storage | null {
  try {
    return typeof localStorage === 'undefined' ? null : localStorage;
  } catch {
    return null;
  }
}

export function getApiKey(): string | null {
  return storage()?.getItem(STORAGE_KEY) ?? memoryKey;
}

export function setApiKey(key: string): void {
  const k = key.trim();
  memoryKey = k;
  try {
    storage()?.setItem(STORAGE_KEY, k);
  } catch {
    // private mode: keep it in memory for this tab
  }
  reason = null;
  emit();
}

/** Forgets the key; `why` is shown on the prompt ("the key was refused"). */
export function clearApiKey(why: string | null = null): void {
  memoryKey = null;
  storage()?.removeItem(STORAGE_KEY);
  reason = why;
  emit();
}

export function getPromptReason(): string | null {
  return reason;
}

function emit(): void {
  for (const l of listeners) l();
}

function subscribe(l: Listener): () => void {
  listeners.add(l);
  return () => listeners.delete(l);
}

export function useApiKey(): string | null {
  return useSyncExternalStore(subscribe, getApiKey, () => null);
}
