import { randomUUID } from 'node:crypto';
import { pushTo } from './collections';
import { type DraftEvent, enrichEvent } from './enrich';
import { DomainError, isDomainError } from './errors';
import {
  type AgentEvent,
  epochHour,
  HOUR_MS,
  type RubricResult,
  type Session,
  type SettledSnapshot,
  sessionDurationMs,
} from './model';
import type {
  AgentStore,
  BlobStore,
  Clock,
  EventStore,
  FoldContext,
  QueuedFold,
  RollupQueue,
  RollupStore,
  SessionStore,
  SessionUpsert,
  SettledSwap,
  SettleWithFold,
  StoredEvent,
  TimeSeriesSink,
  TotalsDelta,
} from './ports';
import type { PriceBook } from './pricing/pricing';
import {
  addCount,
  addSample,
  applyDelta,
  DeltaBuilder,
  OTHER_TAG_VALUE,
  parseTag,
  type RollupDelta,
  type RollupKey,
  tagSlice,
} from './rollup';
import { owesSettlement } from './session-merge';
import type { AgentPriceBooks } from './settings';

export interface IngestConfig {
  /** Distinct values per tag key that get their own slice; the rest fold into "__other__". */
  tagValueCap: number;
  /** Payloads larger than this (bytes of JSON) go to the BlobStore. */
  inlinePayloadBytes: number;
  /** A running session with no activity for this long is settled as complete. */
  sessionIdleMs: number;
  /** A fold still pending after this long is replayed by the reconcile job. */
  foldGraceMs: number;
}

export const DEFAULT_INGEST_CONFIG: IngestConfig = {
  tagValueCap: 50,
  inlinePayloadBytes: 64 * 1024,
  sessionIdleMs: 30 * 60_000,
  foldGraceMs: 60_000,
};

export interface IngestDeps {
  sessions: SessionStore;
  events: EventStore;
  rollups: RollupStore;
  agents: AgentStore;
  blobs: BlobStore;
  clock: Clock;
  prices: PriceBook;
  /** Per-agent price overrides on top of `prices` (absent: the table alone). */
  agentPrices?: AgentPriceBooks;
  /**
   * Optional: folds and settlements queue their rollup deltas here instead of writing rollups, and
   * `reconcile` drains the queue in batches (stores that bill per item write; see RollupQueue).
   * Dashboards then see a fold's events and a session's settlement when the next drain runs.
   */
  rollupQueue?: RollupQueue;
  /** Optional raw-measure sink (Timestream); failures there never fail ingest. */
  timeseries?: TimeSeriesSink;
  config: IngestConfig;
  /**
   * Resolves once every write made so far is durable. Stores that commit in groups (the embedded
   * DuckDB store) need it before a client is acknowledged; stores whose writes are durable on return
   * (DynamoDB) leave it out.
   */
  sync?: () => Promise<void>;
  /** Reports non-fatal problems (a failed Timestream write) to the platform's logger. */
  warn?: (message: string, details: Record<string, unknown>) => void;
}

export type ItemStatus = 'accepted' | 'duplicate' | 'rejected';
export interface EventOutcome {
  eventId: string;
  status: ItemStatus;
  reason?: string;
}

/**
 * Creates or continues a session, then settles what it contributes to rollups. A caller whose request
 * also carries events for the session passes `settle: false` and names the session in `ingestEvents`'
 * `settle` option, which settles it once, after the events fold (one settlement per request instead
 * of two).
 */
export async function upsertSession(
  deps: IngestDeps,
  change: SessionUpsert,
  options: { sync?: boolean; settle?: boolean } = {},
): Promise<{ session: Session; created: boolean }> {
  await deps.agents.ensure(change.agentId, change.at);
  const result = await deps.sessions.upsert(change);
  const settled =
    options.settle === false ? null : await settleSession(deps, change.agentId, change.sessionId);
  // A caller that upserts many sessions in one request passes sync: false and syncs once at the end.
  if (options.sync !== false) await deps.sync?.();
  return { session: settled ?? result.session, created: result.created };
}

export async function addSessionEval(
  deps: IngestDeps,
  agentId: string,
  sessionId: string,
  result: RubricResult,
): Promise<void> {
  const existing = await deps.sessions.get(agentId, sessionId);
  if (!existing) await ensureStubSession(deps, agentId, sessionId, result.at, 'lucidic');
  await deps.sessions.addEval(agentId, sessionId, result);
  await deps.sync?.();
}

async function ensureStubSession(
  deps: IngestDeps,
  agentId: string,
  sessionId: string,
  at: number,
  source: Session['source'],
): Promise<Session> {
  await deps.agents.ensure(agentId, at);
  const { session } = await deps.sessions.upsert({
    agentId,
    sessionId,
    startedAt: at,
    source,
    stub: true,
    at,
  });
  return session;
}

/** A session named by agent and id. */
export interface SessionRef {
  agentId: string;
  sessionId: string;
}

/**
 * Accepts drafts for one agent (any sessions): enrich, dedupe, store, fold into rollups and session
 * totals, then settle. Each draft gets its own outcome; a bad one never sinks the others.
 * `options.settle` names sessions upserted with `settle: false`: each is settled by this call even if
 * none of its events is new (or it has none).
 */
export async function ingestEvents(
  deps: IngestDeps,
  drafts: DraftEvent[],
  options: { settle?: SessionRef[] } = {},
): Promise<EventOutcome[]> {
  const now = deps.clock.now();
  const outcomes: EventOutcome[] = new Array(drafts.length);
  const bySession = new Map<string, Array<{ index: number; event: AgentEvent }>>();
  const seen = new Set<string>();
  const books = new Map<string, PriceBook>();
  for (const agentId of new Set(drafts.map((d) => d.agentId))) {
    books.set(agentId, deps.agentPrices ? await deps.agentPrices.forAgent(agentId) : deps.prices);
  }
  drafts.forEach((draft, index) => {
    try {
      const event = enrichEvent(draft, books.get(draft.agentId) ?? deps.prices, now);
      const key = `${event.agentId}\u0000${event.sessionId}`;
      const dupKey = `${key}\u0000${event.eventId}`;
      if (seen.has(dupKey)) {
        outcomes[index] = { eventId: event.eventId, status: 'duplicate' };
        return;
      }
      seen.add(dupKey);
      pushTo(bySession, key, { index, event });
    } catch (e) {
      if (!isDomainError(e)) throw e;
      outcomes[index] = { eventId: draft.eventId, status: 'rejected', reason: e.message };
    }
  });

  const owed = new Map((options.settle ?? []).map((r) => [`${r.agentId}\u0000${r.sessionId}`, r]));
  for (const [key, items] of bySession) {
    const first = items[0]!.event;
    const { outcomes: results, settled } = await ingestSessionEvents(
      deps,
      first.agentId,
      first.sessionId,
      items.map((i) => i.event),
    );
    if (settled) owed.delete(key);
    items.forEach((item, i) => {
      outcomes[item.index] = results[i]!;
    });
  }
  for (const r of owed.values()) await settleSession(deps, r.agentId, r.sessionId);
  await deps.sync?.();
  return outcomes;
}

async function ingestSessionEvents(
  deps: IngestDeps,
  agentId: string,
  sessionId: string,
  events: AgentEvent[],
): Promise<{ outcomes: EventOutcome[]; settled: boolean }> {
  let session = await deps.sessions.get(agentId, sessionId);
  if (!session) {
    const earliest = Math.min(...events.map((e) => e.startedAt));
    session = await ensureStubSession(deps, agentId, sessionId, earliest, events[0]!.source);
  }
  const fold = await foldContext(deps, session);
  const stored: StoredEvent[] = [];
  for (const event of events) stored.push({ ...(await offloadPayload(deps, event)), fold });

  const { inserted } = await deps.events.insertNew(stored);
  const insertedSet = new Set(inserted);
  const fresh = stored.filter((e) => insertedSet.has(e.eventId));
  if (fresh.length > 0) {
    // The settlement rides on the fold's totals write when nothing raced it (see applyTotals).
    const swap = await applyFold(deps, fresh, settleWith(deps, session, fold.sessionSlices));
    if (swap?.to) await applySettlement(deps, swap.session, swap.from, swap.to);
    else if (!swap) await settleSession(deps, agentId, sessionId);
    await writeTimeSeries(deps, fresh);
  }
  return {
    outcomes: events.map((e) => ({
      eventId: e.eventId,
      status: insertedSet.has(e.eventId) ? 'accepted' : 'duplicate',
    })),
    settled: fresh.length > 0,
  };
}

/**
 * The settlement a fold can store with its totals: the target snapshot of the session as the fold
 * leaves it, computed with the slices of `seen` (the session read before the fold); declined when
 * the stored session's tags or experiment are no longer those (the usual settlement then runs).
 */
function settleWith(deps: IngestDeps, seen: Session, slices: string[]): SettleWithFold {
  return (after) => {
    if (
      after.experimentId !== seen.experimentId ||
      JSON.stringify(after.tags) !== JSON.stringify(seen.tags)
    ) {
      return false;
    }
    const target = targetSnapshot(after, deps.clock.now(), deps.config, slices);
    if (sameSnapshot(after.settled, target)) return null;
    return { ...target, version: (after.settled?.version ?? 0) + 1 };
  };
}

async function writeTimeSeries(deps: IngestDeps, events: AgentEvent[]): Promise<void> {
  if (!deps.timeseries) return;
  try {
    const result = await deps.timeseries.write(events, []);
    if (result.rejected.length > 0) {
      deps.warn?.('time series rejected records', {
        rejected: result.rejected.slice(0, 10),
        count: result.rejected.length,
      });
    }
  } catch (e) {
    deps.warn?.('time series write failed', { error: e instanceof Error ? e.message : String(e) });
  }
}

async function offloadPayload(deps: IngestDeps, event: AgentEvent): Promise<AgentEvent> {
  if (event.payload === undefined || event.payload === null) return event;
  const json = JSON.stringify(event.payload);
  if (json.length <= deps.config.inlinePayloadBytes) return event;
  const key = payloadKey(event.agentId, event.sessionId, event.eventId);
  await deps.blobs.put(key, new TextEncoder().encode(json), 'application/json');
  return { ...event, payload: null, payloadRef: key };
}

export const payloadKey = (agentId: string, sessionId: string, eventId: string): string =>
  `payloads/${encodeURIComponent(agentId)}/${encodeURIComponent(sessionId)}/${encodeURIComponent(eventId)}.json`;

async function foldContext(deps: IngestDeps, session: Session): Promise<FoldContext> {
  return {
    foldId: `ev:${randomUUID()}`,
    production: session.production,
    weight: 1 / session.sampleRate,
    sessionSlices: await sessionSlices(deps, session),
  };
}

/** Slices a session counts under besides `all`: its tags (within the per-key cap) and its experiment. */
async function sessionSlices(deps: IngestDeps, session: Session): Promise<string[]> {
  const byKey = new Map<string, Set<string>>();
  for (const tag of session.tags) {
    const { key, value } = parseTag(tag);
    if (!value) continue;
    const set = byKey.get(key) ?? new Set<string>();
    set.add(value);
    byKey.set(key, set);
  }
  const slices: string[] = [];
  for (const [key, values] of byKey) {
    const admitted = await deps.rollups.admitTagValues(
      session.agentId,
      key,
      [...values],
      deps.config.tagValueCap,
    );
    const out = new Set<string>();
    for (const v of values) out.add(admitted.has(v) ? v : OTHER_TAG_VALUE);
    for (const v of out) slices.push(tagSlice(key, v));
  }
  if (session.experimentId) slices.push(`exp:${session.experimentId}`);
  return slices.sort();
}

/**
 * Folds stored events (one session, one fold) into rollups and session totals; replay-safe. With
 * `settle`, the session store may swap the settled snapshot with the totals (see applyTotals).
 */
async function applyFold(
  deps: IngestDeps,
  events: StoredEvent[],
  settle?: SettleWithFold,
): Promise<SettledSwap | null> {
  const first = events[0]!;
  const { foldId, production, weight, sessionSlices: slices } = first.fold;
  const builder = new DeltaBuilder();
  const totals: TotalsDelta = {
    events: 0,
    llmCalls: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    reasoningTokens: 0,
    costUsd: 0,
    unpricedEvents: 0,
    firstEventAt: null,
    lastEventEndAt: null,
  };
  for (const e of events) {
    const hour = epochHour(e.startedAt);
    const eventSlices = ['all', `type:${e.type}`, ...slices];
    if (e.model) eventSlices.push(`model:${e.model}`);
    if (e.error) eventSlices.push(`err:${e.error.category}`);
    const isLlm = e.type === 'llm';
    const tokens = e.usage ? e.usage.inputTokens + e.usage.outputTokens : 0;
    for (const slice of eventSlices) {
      const d = builder.delta({ agentId: e.agentId, hour, production, slice });
      addCount(d, 'events', weight);
      if (isLlm) addCount(d, 'llmCalls', weight);
      if (e.error) addCount(d, 'errors', weight);
      if (e.usage) {
        addCount(d, 'inputTokens', e.usage.inputTokens * weight);
        addCount(d, 'outputTokens', e.usage.outputTokens * weight);
        addCount(d, 'cachedInputTokens', e.usage.cachedInputTokens * weight);
        addCount(d, 'reasoningTokens', e.usage.reasoningTokens * weight);
      }
      if (e.cost?.usd != null) addCount(d, 'costUsd', e.cost.usd * weight);
      if (e.cost?.unpriced) addCount(d, 'unpricedEvents', weight);
      if (e.durationMs !== null) {
        addCount(d, 'latencySumMs', e.durationMs * weight);
        addCount(d, 'latencyCount', weight);
        addSample(d, 'eventLatency', e.durationMs, weight);
      }
      if (isLlm && tokens > 0) addSample(d, 'llmTokens', tokens, weight);
      if (isLlm && e.cost?.usd != null) addSample(d, 'llmCost', e.cost.usd, weight);
    }
    totals.events += 1;
    if (isLlm) totals.llmCalls += 1;
    if (e.error) totals.errors += 1;
    if (e.usage) {
      totals.inputTokens += e.usage.inputTokens;
      totals.outputTokens += e.usage.outputTokens;
      totals.cachedInputTokens += e.usage.cachedInputTokens;
      totals.reasoningTokens += e.usage.reasoningTokens;
    }
    if (e.cost?.usd != null) totals.costUsd += e.cost.usd;
    if (e.cost?.unpriced) totals.unpricedEvents += 1;
    const end = e.startedAt + (e.durationMs ?? 0);
    totals.firstEventAt =
      totals.firstEventAt === null ? e.startedAt : Math.min(totals.firstEventAt, e.startedAt);
    totals.lastEventEndAt = totals.lastEventEndAt === null ? end : Math.max(totals.lastEventEndAt, end);
  }
  const deltas = builder.build();
  // Queued, the deltas wait for a batched write; the queue drains no fold still pending, so a replay
  // of this fold finds them queued and adds nothing.
  await writeRollups(deps, foldId, deltas);
  const swap = await deps.sessions.applyTotals(
    first.agentId,
    first.sessionId,
    foldId,
    totals,
    deps.clock.now(),
    settle,
  );
  await deps.events.markFolded(first.agentId, first.sessionId, foldId);
  await releaseRollups(deps, foldId, deltas);
  await deps.sessions.releaseFold(first.agentId, first.sessionId, foldId);
  return swap;
}

/**
 * A fold's (or a settlement's) rollup deltas: queued for a batched write when there is a rollup queue
 * (nothing is queued for no deltas), else written to the rollups under the fold id. `settles` marks a
 * settlement, which the queue drains only once its session records it applied (see RollupQueue).
 */
async function writeRollups(
  deps: IngestDeps,
  foldId: string,
  deltas: RollupDelta[],
  settles?: QueuedFold['settles'],
): Promise<void> {
  if (!deps.rollupQueue) return deps.rollups.apply(foldId, deltas);
  if (deltas.length === 0) return;
  await deps.rollupQueue.enqueue({
    foldId,
    queuedAt: deps.clock.now(),
    deltas,
    ...(settles ? { settles } : {}),
  });
}

/** Forgets the idempotency markers of a fold written by writeRollups (a queued one left none). */
async function releaseRollups(deps: IngestDeps, foldId: string, deltas: RollupDelta[]): Promise<void> {
  if (deps.rollupQueue) return;
  await deps.rollups.release(
    foldId,
    deltas.map((d) => d.key),
  );
}

/**
 * How long a drain holds the queue before another may take it over: longer than a drain runs (it starts
 * no batch after `budgetMs`, 30 s by default), so a drain that stopped blocks the queue 2 minutes at most.
 */
export const DRAIN_LEASE_MS = 2 * 60_000;

/**
 * Writes queued folds' event-level rollup deltas (see RollupQueue), merged: one write per rollup item
 * per batch of up to `batchSize` folds, instead of one per item per fold; batch after batch until the
 * queue is empty or `budgetMs` has passed. Under the queue's lease (a
 * drain already running elsewhere makes this one return at once). Each batch is recorded before its
 * write and applied as one idempotent fold, so a drain that stops part-way leaves a batch that the
 * next drain finishes with the same folds, and no fold is ever added twice or lost. Returns how many
 * folds were drained.
 */
export async function drainRollupQueue(
  deps: IngestDeps,
  options: { batchSize?: number; budgetMs?: number } = {},
): Promise<{ folds: number; batches: number }> {
  const queue = deps.rollupQueue;
  if (!queue) return { folds: 0, batches: 0 };
  const batchSize = options.batchSize ?? 500;
  const budgetMs = options.budgetMs ?? 30_000;
  const owner = randomUUID();
  const now = deps.clock.now();
  if (!(await queue.lease(owner, now, now + DRAIN_LEASE_MS))) return { folds: 0, batches: 0 };
  let folds = 0;
  let batches = 0;
  try {
    while (batches === 0 || deps.clock.now() - now < budgetMs) {
      let batch = await queue.openBatch();
      let queued: QueuedFold[];
      if (batch) {
        queued = await queue.get(batch.foldIds);
      } else {
        queued = await queue.take(batchSize);
        if (queued.length === 0) break;
        batch = { batchId: `drain:${randomUUID()}`, foldIds: queued.map((f) => f.foldId) };
        await queue.putBatch(batch);
      }
      const merged = new DeltaBuilder();
      for (const fold of queued) for (const d of fold.deltas) applyDelta(merged.delta(d.key), d);
      const deltas = merged.build();
      // A resumed batch may have lost some folds to its remove below: then every key was written.
      await deps.rollups.apply(batch.batchId, deltas);
      await queue.remove(batch.foldIds);
      await deps.rollups.release(
        batch.batchId,
        deltas.map((d) => d.key),
      );
      await queue.deleteBatch(batch.batchId);
      folds += queued.length;
      batches++;
      if (queued.length < batchSize) break;
    }
  } finally {
    await queue.unlease(owner);
  }
  return { folds, batches };
}

/** What a session should contribute to rollups now. */
export function targetSnapshot(
  session: Session,
  now: number,
  config: IngestConfig,
  slices: string[],
): SettledSnapshot {
  const lastActivity = Math.max(session.updatedAt, session.totals.lastEventEndAt ?? 0, session.endedAt ?? 0);
  const complete = session.status === 'finished' || now - lastActivity >= config.sessionIdleMs;
  return {
    version: 0,
    production: session.production,
    hour: session.rollupHour,
    slices: ['all', ...slices],
    weight: 1 / session.sampleRate,
    counted: !session.stub || complete,
    complete,
    costUsd: session.totals.costUsd,
    durationMs: sessionDurationMs(session),
    tokens: session.totals.inputTokens + session.totals.outputTokens,
    errored: session.totals.errors > 0,
    success: session.outcome.isSuccessful,
    sessionEval: session.outcome.sessionEval,
  };
}

/**
 * Whether an upsert changed a field targetSnapshot reads (totals and updatedAt aside, which only folds
 * and activity move): such a change may change the session's settlement, so the store marks the
 * session owing (see SessionStore.upsert).
 */
export function settlementInputsChanged(before: Session, after: Session): boolean {
  return (
    before.production !== after.production ||
    before.rollupHour !== after.rollupHour ||
    before.sampleRate !== after.sampleRate ||
    before.stub !== after.stub ||
    before.status !== after.status ||
    before.startedAt !== after.startedAt ||
    before.endedAt !== after.endedAt ||
    before.experimentId !== after.experimentId ||
    JSON.stringify(before.tags) !== JSON.stringify(after.tags) ||
    before.outcome.isSuccessful !== after.outcome.isSuccessful ||
    before.outcome.sessionEval !== after.outcome.sessionEval
  );
}

function sameSnapshot(a: SettledSnapshot | null, b: SettledSnapshot): boolean {
  if (!a) return false;
  const { version: _a, ...ra } = a;
  const { version: _b, ...rb } = b;
  return JSON.stringify(ra) === JSON.stringify(rb);
}

/** Rollup deltas that take a session's contribution from `from` to `to`. */
export function snapshotDelta(
  agentId: string,
  from: SettledSnapshot | null,
  to: SettledSnapshot | null,
): DeltaBuilder {
  const builder = new DeltaBuilder();
  const contribute = (snap: SettledSnapshot, sign: 1 | -1) => {
    const w = snap.weight * sign;
    for (const slice of snap.slices) {
      const key: RollupKey = { agentId, hour: snap.hour, production: snap.production, slice };
      if (snap.counted) builder.count(key, 'sessions', w);
      if (!snap.complete) continue;
      builder
        .count(key, 'settledSessions', w)
        .count(key, 'sessionCostSum', snap.costUsd * w)
        .observe(key, 'sessionCost', snap.costUsd, w);
      if (snap.durationMs !== null) {
        builder
          .count(key, 'sessionDurationSum', snap.durationMs * w)
          .count(key, 'sessionDurationCount', w)
          .observe(key, 'sessionDuration', snap.durationMs, w);
      }
      if (snap.errored) builder.count(key, 'erroredSessions', w);
      if (snap.success === true) builder.count(key, 'succeededSessions', w);
      if (snap.success === false) builder.count(key, 'failedSessions', w);
      if (snap.sessionEval !== null)
        builder.count(key, 'evalSum', snap.sessionEval * w).count(key, 'evalCount', w);
    }
  };
  if (from) contribute(from, -1);
  if (to) contribute(to, 1);
  return builder;
}

/**
 * Brings a session's session-level rollup contribution up to date (count, cost/duration distributions,
 * outcome). Compare-and-set on the session plus an idempotent fold id make it safe to run anywhere,
 * any number of times, concurrently; an interrupted run is finished by the next one.
 */
export async function settleSession(
  deps: IngestDeps,
  agentId: string,
  sessionId: string,
): Promise<Session | null> {
  return (await settle(deps, agentId, sessionId)).session;
}

/** settleSession, also telling whether this call stored a new snapshot. */
async function settle(
  deps: IngestDeps,
  agentId: string,
  sessionId: string,
): Promise<{ session: Session | null; swapped: boolean }> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const session = await deps.sessions.get(agentId, sessionId);
    if (!session) return { session: null, swapped: false };
    const current = session.settled;
    if (current && session.settledAppliedVersion < current.version) {
      await applySettlement(deps, session, session.settledPrev, current);
      continue;
    }
    const target = targetSnapshot(session, deps.clock.now(), deps.config, await sessionSlices(deps, session));
    if (sameSnapshot(current, target)) return { session, swapped: false };
    const next = { ...target, version: (current?.version ?? 0) + 1 };
    if (!(await deps.sessions.casSettled(agentId, sessionId, current?.version ?? 0, next))) continue;
    await applySettlement(deps, session, current, next);
    return {
      session: { ...session, settledPrev: current, settled: next, settledAppliedVersion: next.version },
      swapped: true,
    };
  }
  throw new DomainError('conflict', `session ${sessionId}: too many concurrent settlements, retry`);
}

/**
 * Settles a session the reconcile job found owing. One listed only because a write marked it (an
 * upsert or a fold after its settlement, see SessionStore.listUnsettled) whose snapshot turns out up
 * to date gets its mark dropped by a repeated markSettledApplied, so it is not listed again.
 */
async function settleListed(deps: IngestDeps, agentId: string, sessionId: string): Promise<void> {
  const { session, swapped } = await settle(deps, agentId, sessionId);
  if (!swapped && session?.settled && !owesSettlement(session)) {
    await deps.sessions.markSettledApplied(agentId, sessionId, session.settled.version);
  }
}

async function applySettlement(
  deps: IngestDeps,
  session: Session,
  from: SettledSnapshot | null,
  to: SettledSnapshot,
): Promise<void> {
  const deltas = snapshotDelta(session.agentId, from, to).build();
  const foldId = `settle:${session.agentId}:${session.sessionId}:${to.version}`;
  // Queued, drained only once the mark below is stored. A snapshot change that moves no figure (a
  // running session's cost, which counts only once it is complete) queues nothing.
  await writeRollups(deps, foldId, deltas, {
    agentId: session.agentId,
    sessionId: session.sessionId,
    version: to.version,
  });
  await deps.sessions.markSettledApplied(session.agentId, session.sessionId, to.version);
  await releaseRollups(deps, foldId, deltas);
}

/**
 * The reconcile job: finishes folds interrupted by a crash (events stored but not yet folded), settles
 * sessions that went idle, and drains the rollup queue when there is one. Safe to run concurrently
 * with ingest.
 */
export async function reconcile(
  deps: IngestDeps,
  limit = 1000,
): Promise<{ folds: number; settled: number; drained: number }> {
  const now = deps.clock.now();
  const pending = await deps.events.listPending(now - deps.config.foldGraceMs, limit);
  const byFold = new Map<string, StoredEvent[]>();
  for (const e of pending) {
    const k = `${e.agentId}\u0000${e.sessionId}\u0000${e.fold.foldId}`;
    pushTo(byFold, k, e);
  }
  for (const events of byFold.values()) {
    await applyFold(deps, events);
    await settleListed(deps, events[0]!.agentId, events[0]!.sessionId);
  }
  const idle = await deps.sessions.listUnsettled(now - deps.config.sessionIdleMs, limit);
  let settled = 0;
  for (const s of idle) {
    await settleListed(deps, s.agentId, s.sessionId);
    settled++;
  }
  const drained = await drainRollupQueue(deps);
  await deps.sync?.();
  return { folds: byFold.size, settled, drained: drained.folds };
}

export const hourStart = (hour: number): number => hour * HOUR_MS;
