import { useSyncExternalStore } from 'react';

/**
 * How the dashboard authenticates, in one store the app subscribes to:
 * - an API key the user pasted, kept in localStorage so it is asked for once per browser;
 * - on AWS, the Cognito tokens of a signed-in user, kept in sessionStorage (this tab only, gone when it
 *   closes) — the 30-day refresh token included, so a script that runs in the page can never find a
 *   long-lived credential left behind in a closed browser; the price is signing in again per tab.
 * A refused credential is cleared with a reason, which brings the prompt back.
 */
const STORAGE_KEY = 'vigil.apiKey';
const SESSION_KEY = 'vigil.cognitoTokens';
const METHOD_KEY = 'vigil.authMethod';

/** A signed-in Cognito user's tokens; `expiresAt` is epoch ms. */
export interface JwtSession {
  idToken: string;
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

/** Which sign-in the user picked where both exist (Cognito deployments with API-key fallback). */
export type AuthMethod = 'sign-in' | 'api-key';

type Listener = () => void;
const listeners = new Set<Listener>();
let reason: string | null = null;
let memoryKey: string | null = null;
let memorySession: JwtSession | null = null;
let cachedSessionText: string | null = null;
let cachedSession: JwtSession | null = null;
let memoryMethod: AuthMethod | null = null;

function storage(kind: 'local' | 'session'): Storage | null {
  try {
    const s = kind === 'local' ? globalThis.localStorage : globalThis.sessionStorage;
    return s ?? null;
  } catch {
    return null;
  }
}

export function getApiKey(): string | null {
  return storage('local')?.getItem(STORAGE_KEY) ?? memoryKey;
}

export function setApiKey(key: string): void {
  const k = key.trim();
  memoryKey = k;
  try {
    storage('local')?.setItem(STORAGE_KEY, k);
  } catch {
    // private mode: keep it in memory for this tab
  }
  reason = null;
  emit();
}

/** Forgets the key; `why` is shown on the prompt ("the key was refused"). */
export function clearApiKey(why: string | null = null): void {
  memoryKey = null;
  storage('local')?.removeItem(STORAGE_KEY);
  reason = why;
  emit();
}

/** The signed-in user's tokens, or null. Stable identity between changes (for useSyncExternalStore). */
export function getJwtSession(): JwtSession | null {
  const text = storage('session')?.getItem(SESSION_KEY) ?? null;
  if (text === null) return memorySession;
  if (text !== cachedSessionText) {
    cachedSessionText = text;
    try {
      const v = JSON.parse(text) as Partial<JwtSession>;
      cachedSession =
        typeof v.idToken === 'string' &&
        typeof v.accessToken === 'string' &&
        typeof v.refreshToken === 'string' &&
        typeof v.expiresAt === 'number'
          ? (v as JwtSession)
          : null;
    } catch {
      cachedSession = null;
    }
  }
  return cachedSession;
}

export function setJwtSession(session: JwtSession): void {
  memorySession = session;
  try {
    storage('session')?.setItem(SESSION_KEY, JSON.stringify(session));
  } catch {
    // storage full or blocked: keep them in memory for this page
  }
  reason = null;
  emit();
}

/** Signs out locally: forgets every token; `why` is shown on the sign-in form. */
export function clearJwtSession(why: string | null = null): void {
  memorySession = null;
  storage('session')?.removeItem(SESSION_KEY);
  reason = why;
  emit();
}

export function getAuthMethod(): AuthMethod | null {
  const v = storage('session')?.getItem(METHOD_KEY);
  return v === 'sign-in' || v === 'api-key' ? v : memoryMethod;
}

export function setAuthMethod(method: AuthMethod): void {
  memoryMethod = method;
  try {
    storage('session')?.setItem(METHOD_KEY, method);
  } catch {
    // keep it in memory
  }
  reason = null;
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

export function useJwtSession(): JwtSession | null {
  return useSyncExternalStore(subscribe, getJwtSession, () => null);
}

export function useAuthMethod(): AuthMethod | null {
  return useSyncExternalStore(subscribe, getAuthMethod, () => null);
}
