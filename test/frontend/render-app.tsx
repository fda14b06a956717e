import { cleanup, render } from '@testing-library/react';
import { afterEach, beforeEach, vi } from 'vitest';
import { App } from '../../frontend/src/app/app';
import { clearApiKey, setApiKey } from '../../frontend/src/lib/auth-store';
import { clearApiCache } from '../../frontend/src/lib/use-api';

/** Screen tests: the whole dashboard (`App`) in jsdom, on a fake fetch. */

export const CONFIG = { apiBaseUrl: '', mode: 'local' as const, auth: { type: 'api-key' } };
export const TEST_KEY = 'vgl_test';

/** Opens the dashboard at `search` (e.g. `?agent=a&view=alerts`), signed in with `key` (null: no key yet). */
export function openApp<A extends { fetch: typeof fetch }>(
  search: string,
  api: A,
  key: string | null = TEST_KEY,
): A {
  window.history.replaceState(null, '', `/${search}`);
  if (key) setApiKey(key);
  render(<App fetch={api.fetch} config={CONFIG} />);
  return api;
}

/**
 * Each test starts with no cached answers and no stored key (jsdom has no scrollTo); afterwards the app
 * is unmounted and mocks and stubbed globals are put back.
 */
export function resetAppAroundEachTest(): void {
  beforeEach(() => {
    clearApiCache();
    clearApiKey(null);
    window.scrollTo = () => undefined;
  });
  afterEach(() => {
    cleanup();
    vi.unstubAllGlobals();
    vi.restoreAllMocks();
  });
}

export const params = () => new URLSearchParams(window.location.search);
export const chart = (id: string) => document.querySelector(`[data-chart="${id}"]`);
