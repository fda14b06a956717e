import { AsyncLocalStorage } from 'node:async_hooks';
import type { VigilSession } from './session.js';

/** Where recorded events belong: a session and, inside a span/tool, the parent event. */
export interface Scope {
  session: VigilSession;
  parentId: string | null;
}

const storage = new AsyncLocalStorage<Scope>();

export const currentScope = (): Scope | undefined => storage.getStore();

export const runInScope = <R>(scope: Scope, fn: () => R): R => storage.run(scope, fn);

/** The most recent session that has not ended: the fallback for code that runs outside any scope. */
let latest: VigilSession | undefined;

export const setLatestSession = (s: VigilSession): void => {
  latest = s;
};

export const clearLatestSession = (s: VigilSession): void => {
  if (latest === s) latest = undefined;
};

/** The session a wrapper records into: the explicit one, else the async scope's, else the latest open one. */
export function resolveSession(
  explicit?: VigilSession | (() => VigilSession | undefined),
): VigilSession | undefined {
  const chosen = typeof explicit === 'function' ? explicit() : explicit;
  if (chosen) return chosen;
  return storage.getStore()?.session ?? latest;
}
