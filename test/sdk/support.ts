import { randomUUID } from 'node:crypto';
import { gunzipSync } from 'node:zlib';
import { type FetchLike, Vigil, type VigilOptions } from '../../sdk/src/index';
import type { RunningVigil } from '../helpers/local-runtime';

/** A fresh agent id per test, so tests never see each other's rollups. */
export const newAgent = (): string => `agt_${randomUUID()}`;

/** A client for the running server with test-speed timings (the defaults are for production). */
export function client(v: RunningVigil, agentId: string, options: VigilOptions = {}): Vigil {
  return new Vigil({
    baseUrl: v.url,
    apiKey: v.key,
    agentId,
    flushIntervalMs: 20,
    retryBaseMs: 5,
    retryMaxMs: 50,
    env: {},
    ...options,
  });
}

/** Production metrics over a window wide enough for anything a test sends. */
export async function metrics(
  v: RunningVigil,
  agentId: string,
  production: 'true' | 'false' | 'all' = 'true',
) {
  const day = 86_400_000;
  const start = new Date(Date.now() - day).toISOString();
  const end = new Date(Date.now() + day).toISOString();
  const res = await v.call(
    'GET',
    `/api/agents/${agentId}/production/metrics?start_date=${start}&end_date=${end}&production=${production}`,
  );
  if (res.status !== 200) throw new Error(`metrics: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export async function getSession(v: RunningVigil, sessionId: string) {
  return v.call('GET', `/api/sessions/${sessionId}`);
}

export interface SentRequest {
  headers: Record<string, string>;
  gzip: boolean;
  // biome-ignore lint/suspicious/noExplicitAny: the decoded JSON body
  body: any;
  status?: number;
}

/**
 * The global fetch, with every request the SDK makes recorded (body decoded) before it goes to the real
 * server, and a hook that may replace the answer (to inject failures).
 */
export function recordingFetch(
  hook: (req: SentRequest, n: number, send: () => Promise<Response>) => Promise<Response> = (_r, _n, send) =>
    send(),
): { fetch: FetchLike; requests: SentRequest[] } {
  const requests: SentRequest[] = [];
  const f: FetchLike = async (url, init) => {
    const raw = typeof init.body === 'string' ? Buffer.from(init.body) : Buffer.from(init.body);
    const gzip = init.headers['content-encoding'] === 'gzip';
    const req: SentRequest = {
      headers: init.headers,
      gzip,
      body: JSON.parse((gzip ? gunzipSync(raw) : raw).toString('utf8')),
    };
    requests.push(req);
    const res = await hook(req, requests.length, () => fetch(url, init as RequestInit));
    req.status = res.status;
    return res;
  };
  return { fetch: f, requests };
}

/** Deterministic randomness (mulberry32) so statistical tests do not flake. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
