/**
 * Vigil SDK for TypeScript.
 *
 *   const session = init({ sessionName: 'support chat', productionMonitoring: true });
 *   session.llm({ model: 'gpt-4o', provider: 'openai', usage: { inputTokens: 1200, outputTokens: 300 } });
 *   session.end({ success: true });
 *
 * See README.md for the full API, sampling and delivery guarantees.
 */
import { liveClients, Vigil } from './client.js';
import { resolveSession } from './context.js';
import { errorMessage } from './log.js';
import { resolveOptions, type SessionOptions, type VigilOptions } from './options.js';
import type { VigilSession } from './session.js';
import type { FlushResult } from './transport.js';

export type { VigilStats } from './client.js';
export { Vigil } from './client.js';
export type { ModelPrice } from './cost.js';
export type { LogEntry, LogLevel, LogSink } from './log.js';
export type { TokenUsage } from './normalize.js';
export type {
  DropInfo,
  FetchLike,
  SessionContext,
  SessionOptions,
  SessionPolicy,
  VigilOptions,
} from './options.js';
export { type AnthropicLike, anthropicUsage, wrapAnthropic } from './providers/anthropic.js';
export type { WrapOptions } from './providers/instrument.js';
export {
  type OpenAILike,
  type OpenAIWrapOptions,
  openAIChatUsage,
  openAIResponsesUsage,
  wrapOpenAI,
} from './providers/openai.js';
export type { SessionSummary } from './sampling.js';
export type {
  EndOptions,
  EventFields,
  EventTimer,
  LlmFields,
  TimedEventType,
  ToolOptions,
  VigilSession,
} from './session.js';
export { type FlushResult, SDK_VERSION } from './transport.js';
export type * from './wire.js';

export type InitOptions = VigilOptions & SessionOptions;

/** Clients created by init(), one per (endpoint, key, agent). */
const shared = new Map<string, Vigil>();

const CLIENT_KEYS = [
  'apiKey',
  'agentId',
  'baseUrl',
  'debug',
  'logger',
  'capturePayloads',
  'maxPayloadChars',
  'maxQueueSize',
  'maxBatchSize',
  'maxBatchBytes',
  'flushIntervalMs',
  'maxRetries',
  'retryBaseMs',
  'retryMaxMs',
  'requestTimeoutMs',
  'flushTimeoutMs',
  'exitFlushTimeoutMs',
  'compression',
  'autoEnd',
  'maxHeldEventsPerSession',
  'prices',
  'onDrop',
  'fetch',
  'random',
  'now',
  'env',
] as const satisfies ReadonlyArray<keyof VigilOptions>;

/**
 * Starts a session (modelled on Lucidic's `lai.init`). Client settings come from the options, else from
 * VIGIL_API_KEY, VIGIL_AGENT_ID, VIGIL_BASE_URL, VIGIL_DEBUG; the client is shared by every init() with
 * the same server, key and agent (its queue options are those of the first call). Never throws.
 */
export function init(options: InitOptions = {}): VigilSession {
  const o = options ?? {};
  const clientOptions: VigilOptions = {};
  for (const k of CLIENT_KEYS) if (o[k] !== undefined) (clientOptions as Record<string, unknown>)[k] = o[k];
  let client: Vigil;
  try {
    const r = resolveOptions(clientOptions);
    const key = `${r.endpoint}\u0000${r.apiKey ?? ''}\u0000${r.agentId ?? ''}`;
    const existing = shared.get(key);
    if (existing && liveClients().includes(existing)) {
      client = existing;
    } else {
      client = new Vigil(clientOptions);
      shared.set(key, client);
    }
  } catch (e) {
    client = new Vigil({ ...clientOptions, apiKey: '' });
    client.log.error('init failed; recording nothing', { error: errorMessage(e) });
  }
  return client.session(o);
}

/** Flushes every client (default: the ones init() created). Never rejects. */
export async function flush(timeoutMs?: number): Promise<FlushResult> {
  const results = await Promise.all(liveClients().map((c) => c.flush(timeoutMs)));
  return merge(results);
}

/** Ends open sessions and flushes every client, then stops them. Never rejects. */
export async function shutdown(timeoutMs?: number): Promise<FlushResult> {
  const results = await Promise.all(liveClients().map((c) => c.shutdown(timeoutMs)));
  shared.clear();
  return merge(results);
}

/** The session wrapped clients would record into here: the enclosing scope's, else the latest open one. */
export function currentSession(): VigilSession | undefined {
  return resolveSession();
}

function merge(results: FlushResult[]): FlushResult {
  return {
    ok: results.every((r) => r.ok),
    pending: results.reduce((n, r) => n + r.pending, 0),
    dropped: results.reduce((n, r) => n + r.dropped, 0),
  };
}
