import type { ModelPrice } from './cost.js';
import type { LogSink } from './log.js';
import type { SessionSummary } from './sampling.js';

/** What `productionMonitoring` predicates see. */
export interface SessionContext {
  sessionId: string;
  sessionName: string | null;
  tags: readonly string[];
  agentId: string | null;
  experimentId: string | null;
}

/** Settings that may be given per client (as defaults) or per session. */
export interface SessionPolicy {
  /**
   * Marks the session as production traffic (the metrics API reports production sessions by default).
   * A predicate decides per session: `({ tags }) => tags.includes('tier:enterprise')`.
   * @default VIGIL_PRODUCTION_MONITORING or LUCIDIC_PRODUCTION_MONITORING = true, else false
   */
  productionMonitoring?: boolean | ((session: SessionContext) => boolean);
  /**
   * Share of sessions kept, 0 < rate ≤ 1. Sessions with an error or above `keepCostAboveUsd` are always
   * kept; see the README for how the server re-weights so that dashboard totals stay unbiased.
   * @default VIGIL_SAMPLE_RATE, else 1
   */
  sampleRate?: number;
  /** A sampled session whose cost exceeds this is always kept (cost: `costUsd` you pass, else `prices`). */
  keepCostAboveUsd?: number;
  /**
   * Extra always-keep rule, evaluated when a sampled session ends. Must depend on the session only (not on
   * chance), or the re-weighting is wrong.
   */
  keepIf?: (summary: SessionSummary) => boolean;
}

export interface SessionOptions extends SessionPolicy {
  /** @default crypto.randomUUID() */
  sessionId?: string;
  sessionName?: string;
  task?: string;
  tags?: string[];
  experimentId?: string;
  rubrics?: string[];
}

/** How items were lost, for `onDrop`. */
export interface DropInfo {
  /**
   * queue_full: the bounded queue dropped its oldest items; send_failed: retries exhausted or the batch
   * was refused (400/401/403); rejected: the server refused single items (207); hold_full: a sampled
   * session buffered more than maxHeldEventsPerSession events.
   */
  reason: 'queue_full' | 'send_failed' | 'rejected' | 'hold_full';
  events: number;
  sessions: number;
  detail?: string;
}

/** The subset of `fetch` the SDK uses. */
export type FetchLike = (
  url: string,
  init: { method: string; headers: Record<string, string>; body: Uint8Array | string; signal: AbortSignal },
) => Promise<{
  status: number;
  headers: { get(name: string): string | null };
  text(): Promise<string>;
}>;

export interface VigilOptions extends SessionPolicy {
  /** @default VIGIL_API_KEY (without a key the SDK records nothing and says so in the debug log) */
  apiKey?: string;
  /** @default VIGIL_AGENT_ID (optional when the key is scoped to one agent) */
  agentId?: string;
  /** Server root, e.g. https://vigil.example.com. @default VIGIL_BASE_URL, else http://127.0.0.1:8000 */
  baseUrl?: string;
  /** Log to stderr. @default VIGIL_DEBUG = true */
  debug?: boolean;
  /** Receives log lines instead of stderr (and even when debug is off). */
  logger?: LogSink;
  /** Send prompts, completions and tool inputs/outputs as event payloads. @default true */
  capturePayloads?: boolean;
  /** A payload whose JSON is longer is replaced by a preview. @default 262144 */
  maxPayloadChars?: number;
  /** Items waiting to be sent; beyond it the oldest are dropped (and reported). @default 10000 */
  maxQueueSize?: number;
  /** Events per request (the server takes 1000). @default 500 */
  maxBatchSize?: number;
  /** Uncompressed bytes per request (the server takes 10 MB). @default 4194304 */
  maxBatchBytes?: number;
  /** How long an item may wait before a send starts. @default 1000 */
  flushIntervalMs?: number;
  /** Attempts after the first for 429, 5xx and network errors. @default 6 */
  maxRetries?: number;
  /** First backoff ceiling; doubles per attempt, full jitter. @default 500 */
  retryBaseMs?: number;
  /** @default 30000 */
  retryMaxMs?: number;
  /** @default 10000 */
  requestTimeoutMs?: number;
  /** How long `flush()` waits by default. @default 10000 */
  flushTimeoutMs?: number;
  /** How long the `beforeExit` flush may keep the process alive. @default 5000 */
  exitFlushTimeoutMs?: number;
  /** gzip request bodies. @default true */
  compression?: boolean;
  /** End sessions still open when the process is about to exit. @default true */
  autoEnd?: boolean;
  /** Events a sampled session buffers until it is decided; beyond it the oldest are dropped. @default 1000 */
  maxHeldEventsPerSession?: number;
  /** USD per million tokens, by model name (longest prefix wins), for the cost-threshold rule. */
  prices?: Record<string, ModelPrice>;
  /** Called when items are dropped (queue full, retries exhausted, batch refused). */
  onDrop?: (info: DropInfo) => void;
  /** @default globalThis.fetch */
  fetch?: FetchLike;
  /** Source of randomness for sampling and jitter. @default Math.random */
  random?: () => number;
  /** @default Date.now */
  now?: () => number;
  /** Environment to read fallbacks from. @default process.env */
  env?: Record<string, string | undefined>;
}

export interface ResolvedOptions {
  apiKey: string | null;
  agentId: string | null;
  baseUrl: string;
  endpoint: string;
  debug: boolean;
  logger: LogSink | undefined;
  capturePayloads: boolean;
  maxPayloadChars: number;
  maxQueueSize: number;
  maxBatchSize: number;
  maxBatchBytes: number;
  flushIntervalMs: number;
  maxRetries: number;
  retryBaseMs: number;
  retryMaxMs: number;
  requestTimeoutMs: number;
  flushTimeoutMs: number;
  exitFlushTimeoutMs: number;
  compression: boolean;
  autoEnd: boolean;
  maxHeldEventsPerSession: number;
  prices: Record<string, ModelPrice>;
  onDrop: ((info: DropInfo) => void) | undefined;
  fetch: FetchLike;
  random: () => number;
  now: () => number;
  policy: SessionPolicy;
  /** Problems found while resolving, logged once the logger exists. */
  warnings: string[];
}

export const DEFAULT_BASE_URL = 'http://127.0.0.1:8000';

const TRUE = new Set(['1', 'true', 'yes', 'on']);
const isTrue = (v: string | undefined): boolean | undefined =>
  v === undefined || v === '' ? undefined : TRUE.has(v.trim().toLowerCase());

const nonEmpty = (v: string | undefined | null): string | null =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : null;

/** Server root without trailing slashes or a trailing /api (the Lucidic SDKs' base URLs end in /api). */
export function normalizeBaseUrl(raw: string): string {
  return raw
    .trim()
    .replace(/\/+$/, '')
    .replace(/\/api$/, '');
}

export function resolveOptions(o: VigilOptions): ResolvedOptions {
  const env = o.env ?? (typeof process !== 'undefined' ? process.env : {});
  const warnings: string[] = [];
  const int = (v: number | undefined, fallback: number, min: number, name: string): number => {
    if (v === undefined) return fallback;
    if (typeof v === 'number' && Number.isFinite(v) && v >= min) return Math.floor(v);
    warnings.push(`option ${name} must be a number ≥ ${min}; using ${fallback}`);
    return fallback;
  };
  const baseUrl = normalizeBaseUrl(nonEmpty(o.baseUrl) ?? nonEmpty(env.VIGIL_BASE_URL) ?? DEFAULT_BASE_URL);
  const envRate = nonEmpty(env.VIGIL_SAMPLE_RATE);
  const productionEnv = isTrue(env.VIGIL_PRODUCTION_MONITORING) ?? isTrue(env.LUCIDIC_PRODUCTION_MONITORING);
  const policy: SessionPolicy = {
    productionMonitoring: o.productionMonitoring ?? productionEnv ?? false,
    sampleRate: o.sampleRate ?? (envRate ? Number(envRate) : 1),
    ...(o.keepCostAboveUsd !== undefined ? { keepCostAboveUsd: o.keepCostAboveUsd } : {}),
    ...(o.keepIf ? { keepIf: o.keepIf } : {}),
  };
  const globalFetch = typeof fetch === 'function' ? (fetch as unknown as FetchLike) : undefined;
  return {
    apiKey: nonEmpty(o.apiKey) ?? nonEmpty(env.VIGIL_API_KEY),
    agentId: nonEmpty(o.agentId) ?? nonEmpty(env.VIGIL_AGENT_ID),
    baseUrl,
    endpoint: `${baseUrl}/api/v1/batch`,
    debug: o.debug ?? isTrue(env.VIGIL_DEBUG) ?? false,
    logger: o.logger,
    capturePayloads: o.capturePayloads ?? true,
    maxPayloadChars: int(o.maxPayloadChars, 256 * 1024, 0, 'maxPayloadChars'),
    maxQueueSize: int(o.maxQueueSize, 10_000, 1, 'maxQueueSize'),
    maxBatchSize: Math.min(int(o.maxBatchSize, 500, 1, 'maxBatchSize'), 1000),
    maxBatchBytes: Math.min(int(o.maxBatchBytes, 4 * 1024 * 1024, 1024, 'maxBatchBytes'), 9 * 1024 * 1024),
    flushIntervalMs: int(o.flushIntervalMs, 1000, 0, 'flushIntervalMs'),
    maxRetries: int(o.maxRetries, 6, 0, 'maxRetries'),
    retryBaseMs: int(o.retryBaseMs, 500, 0, 'retryBaseMs'),
    retryMaxMs: int(o.retryMaxMs, 30_000, 0, 'retryMaxMs'),
    requestTimeoutMs: int(o.requestTimeoutMs, 10_000, 1, 'requestTimeoutMs'),
    flushTimeoutMs: int(o.flushTimeoutMs, 10_000, 0, 'flushTimeoutMs'),
    exitFlushTimeoutMs: int(o.exitFlushTimeoutMs, 5_000, 0, 'exitFlushTimeoutMs'),
    compression: o.compression ?? true,
    autoEnd: o.autoEnd ?? true,
    maxHeldEventsPerSession: int(o.maxHeldEventsPerSession, 1000, 1, 'maxHeldEventsPerSession'),
    prices: o.prices ?? {},
    onDrop: o.onDrop,
    fetch: o.fetch ?? globalFetch ?? missingFetch,
    random: guarded(o.random, Math.random),
    now: guarded(o.now, Date.now),
    policy,
    warnings,
  };
}

/** A host-supplied hook that must not break the SDK when it throws or returns nonsense. */
function guarded(fn: (() => number) | undefined, fallback: () => number): () => number {
  if (!fn) return fallback;
  return () => {
    try {
      const v = fn();
      return typeof v === 'number' && Number.isFinite(v) ? v : fallback();
    } catch {
      return fallback();
    }
  };
}

const missingFetch: FetchLike = () => Promise.reject(new Error('no global fetch: pass options.fetch'));

/** A valid sample rate, or 1 with a warning. */
export function sampleRate(v: unknown, warn: (m: string) => void): number {
  if (v === undefined) return 1;
  if (typeof v === 'number' && v > 0 && v <= 1) return v;
  warn(`sampleRate must be in (0, 1]; got ${String(v)}, using 1`);
  return 1;
}
