import type {
  AgentEvent,
  ErrorCategory,
  EventType,
  RubricResult,
  Session,
  SessionOutcome,
  SessionTotals,
  SettledSnapshot,
} from './model';
import type { RollupDelta, RollupKey, RollupRecord } from './rollup';

/**
 * Ports: what the domain needs from storage and the outside world, named by capability.
 * Every adapter of a port passes the same contract suite (test/adapters/contracts/).
 */

export interface Page<T> {
  items: T[];
  /** Opaque cursor for the next page; null on the last page. */
  cursor: string | null;
}

/** How an event was folded into rollups, stored on the event so a fold can be replayed identically. */
export interface FoldContext {
  foldId: string;
  production: boolean;
  weight: number;
  /** Session-derived slices (tags within cap, experiment) the event counted under. */
  sessionSlices: string[];
}

export interface StoredEvent extends AgentEvent {
  fold: FoldContext;
}

export interface EventStore {
  /**
   * Inserts the events whose (agentId, sessionId, eventId) is not stored yet, each pending under its
   * fold (`fold.foldId`) until `markFolded`. Returns the ids that were new; the others are duplicates
   * and are not touched. Must be safe under concurrent calls with overlapping ids: each id is inserted
   * by exactly one caller. A crash part-way must never leave an inserted event outside a pending fold.
   */
  insertNew(events: StoredEvent[]): Promise<{ inserted: string[]; duplicates: string[] }>;
  /** Marks a fold done: its events stop being pending. Idempotent; an unknown fold is ignored. */
  markFolded(agentId: string, sessionId: string, foldId: string): Promise<void>;
  /**
   * Events of pending folds received before `before` (the fold's earliest receivedAt), oldest fold
   * first, each fold whole: folds while their events fit in `limit`, and always the first one. Only
   * events stored under that fold are returned (an id the fold lost to a duplicate is not).
   */
  listPending(before: number, limit: number): Promise<StoredEvent[]>;
  /** A session's events ordered by start time then id. */
  listBySession(
    agentId: string,
    sessionId: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<StoredEvent>>;
  /**
   * Failed events of an agent grouped by error fingerprint, over events that started in [from, to) and
   * match the filter; groups ordered by stored count (desc), then fingerprint. Optional: a store without
   * it makes the error-groups endpoint answer 503. See `ErrorGroupSearch` and `ErrorGroup`.
   */
  errorGroups?(q: ErrorGroupSearch, cursor: string | null, limit: number): Promise<Page<ErrorGroup>>;
}

/** Which failed events `EventStore.errorGroups` groups. Null fields do not filter. */
export interface ErrorGroupSearch {
  agentId: string;
  /** Event start, epoch ms, [from, to). */
  from: number;
  to: number;
  /** The event's fold production flag (its session's); null = both. */
  production: boolean | null;
  /** A session slice the event was folded under (`tag:<k>=<v>` or `exp:<id>`, as in `fold.sessionSlices`). */
  sessionSlice: string | null;
  model: string | null;
  eventType: EventType | null;
  errorCategory: ErrorCategory | null;
}

export interface ErrorGroup {
  fingerprint: string;
  category: ErrorCategory;
  /** From the most recent occurrence. */
  type: string | null;
  message: string;
  stack: string | null;
  /** Stored occurrences. */
  count: number;
  /** Sum of the occurrences' fold weights (1 / sample rate). */
  weightedCount: number;
  /** Distinct sessions with an occurrence. */
  sessions: number;
  firstSeen: number;
  lastSeen: number;
  /** Up to 5 session ids, most recent occurrence first. */
  sampleSessionIds: string[];
  /** The most recent occurrence. */
  sampleEventId: string;
}

/** Fields a create-or-continue call (Lucidic initsession, batch session, OTLP span) may set. */
export interface SessionUpsert {
  agentId: string;
  sessionId: string;
  name?: string | null;
  task?: string | null;
  tags?: string[];
  experimentId?: string | null;
  datasetItemId?: string | null;
  rubrics?: string[];
  production?: boolean;
  sampleRate?: number;
  startedAt?: number;
  endedAt?: number | null;
  finished?: boolean;
  outcome?: Partial<SessionOutcome>;
  source: Session['source'];
  /** True when this upsert only comes from an event of an unknown session. */
  stub: boolean;
  at: number;
}

export interface TotalsDelta {
  events: number;
  llmCalls: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  reasoningTokens: number;
  costUsd: number;
  unpricedEvents: number;
  firstEventAt: number | null;
  lastEventEndAt: number | null;
}

/**
 * The snapshot a session should store once a fold's totals are in it: a snapshot to swap in, null for
 * "none owed", or false to decline (the store then applies the totals alone and returns null).
 */
export type SettleWithFold = (after: Session) => SettledSnapshot | null | false;

/**
 * What `applyTotals` did with `settle`: it applied the totals atomically with a check that the session
 * `settle` saw is the stored one, and swapped the settled snapshot from `from` to `to` (to = null:
 * `settle` asked for no swap, and none is owed for this fold).
 */
export interface SettledSwap {
  /** The session after the fold (and the swap). */
  session: Session;
  from: SettledSnapshot | null;
  to: SettledSnapshot | null;
}

export interface SessionStore {
  get(agentId: string, sessionId: string): Promise<Session | null>;
  /** The agent a session id belongs to (the first one that used it), for protocols that omit it. */
  locate(sessionId: string): Promise<string | null>;
  /**
   * Creates the session, or merges the given fields into it. A stub upsert never overwrites fields set
   * by a real one; a real upsert on a stub fills it and clears `stub`. Returns the session after the
   * change and whether it was created by this call.
   *
   * A change to a field the settlement reads (`settlementInputsChanged` in ingest.ts) marks the session
   * owing in the same atomic write, so `listUnsettled` finds it if its re-settlement never comes (a
   * crash after this write).
   */
  upsert(change: SessionUpsert): Promise<{ session: Session; created: boolean }>;
  /**
   * Adds per-event totals (sums add; firstEventAt takes the minimum, lastEventEndAt the maximum) and
   * sets updatedAt to `at`. Idempotent per foldId until `releaseFold`: a replayed fold never adds twice.
   *
   * With `settle`, the store may also swap the settled snapshot in the same atomic step: it calls
   * `settle` with the session as this fold leaves it (only when its current snapshot is applied), and
   * if that returns a snapshot (not false), stores it exactly as `casSettled(after.settled?.version ?? 0, next)`
   * would, atomically with the totals and only if nothing else changed the session in between (then
   * `settle`'s answer, swap or no swap, is final for this fold). Returns null when it did not (no
   * `settle`, a replay, a race, a snapshot not applied yet, `settle` declined, or a store that never
   * combines): the caller
   * then settles the usual way. Saves a write per fold on stores that bill per write.
   *
   * Unless `settle`'s answer was stored with the totals, the write that adds them (and a replay's
   * repair of firstEventAt / lastEventEndAt) also marks the session owing, as `upsert` does.
   */
  applyTotals(
    agentId: string,
    sessionId: string,
    foldId: string,
    delta: TotalsDelta,
    at: number,
    settle?: SettleWithFold,
  ): Promise<SettledSwap | null>;
  /**
   * Forgets the idempotency marker of a fold that is recorded as done (its events marked folded, so it
   * is never replayed). A store may forget lazily: at the latest with its next `applyTotals` of another
   * fold or `casSettled` on the session, or by a write of its own.
   */
  releaseFold(agentId: string, sessionId: string, foldId: string): Promise<void>;
  addEval(agentId: string, sessionId: string, result: RubricResult): Promise<void>;
  /**
   * Compare-and-set of the settled snapshot: succeeds only if the stored snapshot's version is
   * `expectedVersion` (0 = none yet) and its rollup delta has been applied. Keeps the previous snapshot.
   */
  casSettled(
    agentId: string,
    sessionId: string,
    expectedVersion: number,
    next: SettledSnapshot,
  ): Promise<boolean>;
  /**
   * Records that the rollup delta of snapshot `version` is applied (never lowers the applied version),
   * and drops the session's owing mark (left by `upsert` / `applyTotals`) once the stored snapshot is
   * complete and applied, unless a marking write came after this store's last read of the session
   * (`get`). Called again for a version already applied, it only tries to drop the mark: reconcile
   * does so for a listed session whose snapshot was already up to date.
   */
  markSettledApplied(agentId: string, sessionId: string, version: number): Promise<void>;
  /**
   * Sessions that may still owe a settlement: never settled, settled while incomplete, settled but
   * not applied, or marked owing by an `upsert` / `applyTotals` since (see markSettledApplied); and
   * whose last activity (max of updatedAt and totals.lastEventEndAt) is before `before`.
   */
  listUnsettled(before: number, limit: number): Promise<Session[]>;
  list(
    agentId: string,
    from: number,
    to: number,
    cursor: string | null,
    limit: number,
  ): Promise<Page<Session>>;
  /**
   * Sessions of an agent started in [from, to) matching every given filter (AND), sorted by `sort` then
   * session id (both in `order`), paged by an opaque cursor. Optional: a store without it makes the
   * session list, top sessions and exports answer 503. See `SessionSearch` for each filter's meaning.
   */
  search?(q: SessionSearch, cursor: string | null, limit: number): Promise<Page<Session>>;
  /**
   * Rubric results (`Session.evals`) of the sessions `search` would return for `q` (sort ignored), up to
   * `limit` results, most recent session first. Optional: without it the quality endpoint has no rubrics.
   */
  listEvals?(
    q: SessionSearch,
    limit: number,
  ): Promise<{
    items: Array<{ sessionId: string; startedAt: number; result: RubricResult }>;
    truncated: boolean;
  }>;
}

export type SessionSortKey = 'started_at' | 'cost' | 'duration' | 'errors' | 'tokens' | 'events';

/** Filters and order for `SessionStore.search`. Null / empty fields do not filter. */
export interface SessionSearch {
  agentId: string;
  /** Session start (`startedAt`), epoch ms, [from, to). */
  from: number;
  to: number;
  production: boolean | null;
  /**
   * Every pair must be on the session: a tag matches when `parseTag(tag)` (rollup.ts) gives the pair,
   * i.e. the raw tag is `key:value` or `key=value` (or the bare `value` for key "tag").
   */
  tags: Array<{ key: string; value: string }>;
  experimentId: string | null;
  /** The session has at least one event with this model / type / error category / error fingerprint. */
  model: string | null;
  eventType: EventType | null;
  errorCategory: ErrorCategory | null;
  fingerprint: string | null;
  status: 'running' | 'finished' | null;
  /** totals.errors > 0 (true) or = 0 (false). */
  hasError: boolean | null;
  /** totals.costUsd >= this. */
  minCostUsd: number | null;
  /**
   * started_at: startedAt; cost: totals.costUsd; duration: `sessionDurationMs` (model.ts; sessions
   * without one sort as -1); errors: totals.errors; tokens: input + output tokens; events: totals.events.
   */
  sort: SessionSortKey;
  order: 'asc' | 'desc';
}

export interface RollupStore {
  /**
   * Adds the deltas. Idempotent per (foldId, key) until `release`: a replay of the same foldId changes
   * nothing, even if the first attempt was interrupted halfway.
   */
  apply(foldId: string, deltas: RollupDelta[]): Promise<void>;
  /**
   * Forgets the idempotency markers of a fold that is recorded as done elsewhere (so it is never
   * replayed). A store may forget lazily: at the latest with its next `apply` of another fold to the
   * same key, or by a write of its own.
   */
  release(foldId: string, keys: RollupKey[]): Promise<void>;
  /** Records for one slice over [fromHour, toHour), for production true/false (or both when null). */
  query(
    agentId: string,
    production: boolean | null,
    slice: string,
    fromHour: number,
    toHour: number,
    options?: RollupReadOptions,
  ): Promise<RollupRecord[]>;
  /** Records of every slice starting with `prefix` (e.g. "model:") over the window. */
  querySlices(
    agentId: string,
    production: boolean | null,
    prefix: string,
    fromHour: number,
    toHour: number,
    options?: RollupReadOptions,
  ): Promise<RollupRecord[]>;
  /**
   * Admits tag values for an agent's tag key up to `cap` distinct values; returns which of `values`
   * are admitted (already known or newly added). Values beyond the cap are folded as "__other__".
   */
  admitTagValues(agentId: string, key: string, values: string[], cap: number): Promise<Set<string>>;
}

/** A fold's rollup deltas, queued for a batched write (see RollupQueue). */
export interface QueuedFold {
  foldId: string;
  /** When the fold was queued (epoch ms): the queue drains oldest first. */
  queuedAt: number;
  deltas: RollupDelta[];
  /**
   * Set for a session's settlement (its snapshot `version`): drainable only once the session records
   * that version applied (`settledAppliedVersion`), since until then the settlement may be replayed.
   */
  settles?: { agentId: string; sessionId: string; version: number };
}

/** A drain in progress: the folds whose merged deltas are applied to rollups as one fold `batchId`. */
export interface DrainBatch {
  batchId: string;
  foldIds: string[];
}

/**
 * Where folds leave their event-level rollup deltas when rollups are written in batches (stores that
 * bill per write of a whole item, DynamoDB): one small put per fold instead of one write per rollup
 * item it touches, and one write per item per batch when the queue is drained (see drainRollupQueue).
 * Only one drain runs at a time (`lease`); a drain records its batch before writing it, so one that
 * stops part-way is finished, never repeated, by the next.
 */
export interface RollupQueue {
  /**
   * Queues a fold's deltas. Idempotent per foldId: a replayed fold (same id, same deltas) changes
   * nothing. The queue never drains a fold that may still be replayed — one whose events are still
   * pending (EventStore.listPending), or a settlement its session does not yet record as applied — so
   * a replay can never queue a fold again after it was drained.
   */
  enqueue(fold: QueuedFold): Promise<void>;
  /** Up to `limit` queued folds, oldest first, that are drainable (see enqueue). */
  take(limit: number): Promise<QueuedFold[]>;
  /** The named folds still queued (a batch's, when it is resumed). */
  get(foldIds: string[]): Promise<QueuedFold[]>;
  /** Forgets drained folds. */
  remove(foldIds: string[]): Promise<void>;
  /** Takes the drain lease for `owner` until `until` unless another owner holds a live one. */
  lease(owner: string, now: number, until: number): Promise<boolean>;
  unlease(owner: string): Promise<void>;
  /** The batch a drain recorded and did not finish, if any. */
  openBatch(): Promise<DrainBatch | null>;
  putBatch(batch: DrainBatch): Promise<void>;
  deleteBatch(batchId: string): Promise<void>;
}

/** Hints for rollup reads; a store may ignore them (answering with more is always correct). */
export interface RollupReadOptions {
  /**
   * false: the caller reads counters only, so the store may return records with empty sketches
   * (the sketches are most of a rollup's bytes). @default true
   */
  sketches?: boolean;
}

export interface ApiKeyRecord {
  keyId: string;
  /** First characters of the key, shown in listings. */
  prefix: string;
  /** sha256 of the whole key, hex. The key itself is never stored. */
  hash: string;
  name: string;
  scopes: Array<'ingest' | 'read' | 'admin'>;
  /** '*' for every agent, or an explicit list. */
  agents: '*' | string[];
  createdAt: number;
  revokedAt: number | null;
  lastUsedAt: number | null;
}

export interface KeyStore {
  put(record: ApiKeyRecord): Promise<void>;
  getByHash(hash: string): Promise<ApiKeyRecord | null>;
  list(): Promise<ApiKeyRecord[]>;
  revoke(keyId: string, at: number): Promise<boolean>;
}

export interface AgentStore {
  /** Records that the agent exists (first use creates it). Idempotent. */
  ensure(agentId: string, at: number): Promise<void>;
  list(): Promise<Array<{ agentId: string; createdAt: number }>>;
}

export interface BlobStore {
  put(key: string, body: Uint8Array, contentType: string): Promise<void>;
  get(key: string): Promise<Uint8Array | null>;
  /** A URL a client can PUT gzip'd JSON to, without other credentials, until `expiresAt`. */
  uploadUrl(key: string, expiresAt: number): Promise<string>;
}

/** Raw measures for exact ad-hoc queries (Timestream on AWS when enabled; DuckDB holds events locally). */
export interface TimeSeriesSink {
  write(
    events: AgentEvent[],
    sessions: Session[],
  ): Promise<{ written: number; rejected: Array<{ id: string; reason: string }> }>;
}

export interface Clock {
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export type { SessionTotals };
