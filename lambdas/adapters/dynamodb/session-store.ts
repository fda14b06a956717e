import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { DomainError } from '../../domain/errors';
import { settlementInputsChanged } from '../../domain/ingest';
import type { RubricResult, Session, SettledSnapshot } from '../../domain/model';
import type {
  Page,
  SessionSearch,
  SessionStore,
  SessionUpsert,
  SettledSwap,
  SettleWithFold,
  TotalsDelta,
} from '../../domain/ports';
import { addTotals, lastActivity, mergeSessionUpsert, owesSettlement } from '../../domain/session-merge';
import {
  type DynamoDbStoreOptions,
  decodeCursor,
  Expr,
  encodeCursor,
  expiresAt,
  mapLimit,
  VigilTable,
  WRITE_CONCURRENCY,
} from './client';
import {
  SESSION_ATTR as A,
  addend,
  bool,
  FIRST_EVENT_ATTR,
  foldMarker,
  type Item,
  itemToSession,
  keyItem,
  LAST_EVENT_END_ATTR,
  num,
  numOrNull,
  sessionToItem,
  snapshotAttr,
  str,
  strOrNull,
  TOTAL_ATTRS,
  toAttr,
} from './items';
import { listSessionEvals, searchSessions } from './session-search';
import { encTimeBound, indexKeys, keys, SHARD_IDS } from './table';

/** Concurrent upserts of one session re-read and retry; more than this many lost races is a conflict. */
const MAX_ATTEMPTS = 10;
/** Released fold markers queued per session, and sessions with queued markers, before a flush. */
const MAX_QUEUED = 8;
const MAX_QUEUED_SESSIONS = 5000;
/** Sessions whose last read this store remembers (see Stamp). */
const MAX_SEEN = 5000;

/**
 * What every write that marks a session owing changes: an upsert ADDs to its revision, a fold to its
 * event count. A write that drops the mark requires both as its caller last read them, so a mark set
 * after that read (by a change the caller's settlement did not see) stays.
 */
interface Stamp {
  urev: AttributeValue | undefined;
  events: AttributeValue | undefined;
}

const stampOf = (item: Item): Stamp => ({ urev: item[A.urev], events: item[TOTAL_ATTRS.events] });

/** One field that only ever moves one way (a maximum or a minimum), SET under a condition that says so. */
interface Monotonic {
  attr: string;
  value: number;
  keep: 'max' | 'min';
  /** Attributes to SET with it (an index key derived from the value). */
  with?: Record<string, string>;
}

/**
 * Sessions, one item each (pk S#agent#session, sk SESSION), every field a top-level attribute so each
 * writer SETs or ADDs only what it owns and never overwrites a concurrent writer's fields:
 * - upsert: read, merge (domain/session-merge), write the changed fields guarded by an upsert revision
 *   `urev`; only concurrent upserts race on it, and the loser re-reads and retries.
 * - applyTotals: ADD the sums plus SET a marker named after the fold, on the condition that the marker
 *   is absent (exactly once per fold until releaseFold). firstEventAt / lastEventEndAt / updatedAt are
 *   a minimum and maxima: SET under "only if it improves" conditions, which are idempotent.
 * - casSettled / markSettledApplied: conditions on settledVersion and settledAppliedVersion.
 *
 * listUnsettled reads gsi2 partitions U#<shard>: the entry (attribute gsi2pk) exists while the session
 * may owe a settlement (domain owesSettlement); its sort key gsi2sk is createdAt (never after the last
 * activity, and fixed, so raising updatedAt never moves the entry: a move is a delete plus a put); the
 * last activity is checked on the fetched item. Why no change can be lost without transactions: the predicate depends
 * only on settled and settledAppliedVersion. casSettled sets the entry in the very write that stores
 * the new snapshot (a new snapshot is never applied yet, so it always owes). markSettledApplied raises
 * the applied version, then removes the entry in a second write whose condition re-checks the
 * predicate on the stored item (settledComplete and applied ≥ settledVersion): if a casSettled slipped
 * in between, the condition fails and the entry stays.
 *
 * The entry is also the owing mark: an upsert that changes a field the settlement reads, and a fold
 * whose totals are not settled in the same write, SET gsi2pk in the write they make anyway (no extra
 * write; an unchanged index key costs no index write), so a crash before their re-settlement leaves
 * the session listed. Every write that removes the entry also requires the upsert revision and event
 * count to be those of the read the settlement was computed from (a Stamp), so a mark set after that
 * read stays. A session listed whose snapshot is up to date (a mark whose change left the figures as
 * they were, or an entry left by a crash between the two writes above) gets the entry removed when
 * reconcile records its settlement again (markSettledApplied for the applied version).
 */
export class DynamoDbSessionStore implements SessionStore {
  private readonly table: VigilTable;
  /** Fold markers released but not yet removed, by session pk (see releaseFold). */
  private readonly releasable = new Map<string, string[]>();
  /**
   * Snapshots this store swapped in and whose application is not recorded yet, by session pk: when
   * the one being marked applied is complete, markSettledApplied drops the unsettled entry in the
   * same write (a snapshot swapped by another process gets the two-write path).
   */
  private readonly swapped = new Map<string, { version: number; complete: boolean; stamp?: Stamp }>();
  /** The stamp of each session as this store last read it (get), by session pk. */
  private readonly seen = new Map<string, Stamp>();

  constructor(private readonly options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async get(agentId: string, sessionId: string): Promise<Session | null> {
    const key = keys.session(agentId, sessionId);
    const item = await this.table.get(key);
    if (!item) return null;
    this.seen.delete(key.pk);
    this.seen.set(key.pk, stampOf(item));
    if (this.seen.size > MAX_SEEN) this.seen.delete(this.seen.keys().next().value!);
    return itemToSession(item);
  }

  async locate(sessionId: string): Promise<string | null> {
    const item = await this.table.get(keys.locator(sessionId));
    return item?.agentId?.S ?? null;
  }

  async upsert(change: SessionUpsert): Promise<{ session: Session; created: boolean }> {
    const key = keys.session(change.agentId, change.sessionId);
    for (let attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
      // Lost a race last time: back off a little, with jitter, so racing upserts spread out.
      if (attempt > 1) await new Promise((r) => setTimeout(r, Math.random() * 10 * attempt));
      const item = await this.table.get(key);
      if (!item) {
        const session = mergeSessionUpsert(null, change);
        // The owner first: a crash before the session write leaves an owner that a retry agrees with.
        const ttl = expiresAt(this.options, session.startedAt);
        // The owner expires with the session (it only serves protocols that omit the agent).
        await this.table.put(
          {
            ...keyItem(keys.locator(change.sessionId)),
            agentId: str(change.agentId),
            ...(ttl !== null ? { expiresAt: num(ttl) } : {}),
          },
          { expression: 'attribute_not_exists(pk)' },
        );
        const item = sessionToItem(session);
        if (ttl !== null) item.expiresAt = num(ttl);
        const created = await this.table.put(item, {
          expression: 'attribute_not_exists(pk)',
        });
        if (created !== false) return { session, created: true };
        continue;
      }
      const existing = itemToSession(item);
      if (change.stub) return { session: existing, created: false };
      const next = mergeSessionUpsert(existing, change);
      const expr = new Expr();
      const sets = changedFields(existing, next, expr);
      if (sets.length === 0) return { session: existing, created: false };
      // A change the settlement reads marks the session owing in this same write (see listUnsettled).
      if (settlementInputsChanged(existing, next))
        sets.push(owingMark(expr, change.agentId, change.sessionId));
      const conditions = [`${expr.name(A.urev)} = ${expr.value(num(Number(item[A.urev]?.N ?? 0)))}`];
      if (next.updatedAt !== existing.updatedAt) {
        // applyTotals raises updatedAt too: never lower it.
        conditions.push(`${expr.name(A.updatedAt)} < ${expr.value(num(next.updatedAt))}`);
      }
      const updated = await this.table.update({
        key,
        update: `SET ${sets.join(', ')} ADD ${expr.name(A.urev)} ${expr.value(num(1))}`,
        condition: conditions.join(' AND '),
        expr,
        returnValues: 'ALL_NEW',
      });
      if (updated) return { session: itemToSession(updated), created: false };
    }
    throw new DomainError('conflict', `session ${change.sessionId}: too many concurrent updates, retry`);
  }

  async applyTotals(
    agentId: string,
    sessionId: string,
    foldId: string,
    delta: TotalsDelta,
    at: number,
    settle?: SettleWithFold,
  ): Promise<SettledSwap | null> {
    const key = keys.session(agentId, sessionId);
    const markerName = foldMarker(foldId);
    const item = await this.table.get(key);
    if (!item) return null;
    const replay = item[markerName] !== undefined;
    // A replay is no new activity: it only repairs a min/max that an interrupted first attempt missed.
    // Each write below marks the session owing too, unless the settlement goes with the totals.
    const monotonic = wantedMonotonic(item, delta, replay ? null : at, unsettledShardOf(agentId, sessionId));
    if (!replay) {
      // Common case: sums, marker and the min/max fields in one write (plus released markers), and
      // the settlement when the caller asks and the stored snapshot is applied.
      const released = (this.releasable.get(key.pk) ?? []).filter((m) => m !== markerName);
      const before = itemToSession(item);
      const after = addTotals(before, delta, at);
      const current = before.settled;
      const next = settle && before.settledAppliedVersion === (current?.version ?? 0) ? settle(after) : false;
      const first = totalsWrite(markerName, delta, plain(monotonic), released);
      if (next === false) markOwing(first, agentId, sessionId);
      else guardSettle(first, item, agentId, sessionId, current?.version ?? 0, next);
      if ((await this.table.update({ key, ...first })) !== false) {
        this.forget(key.pk, released);
        if (next === false) return null;
        if (next === null) return { session: after, from: current, to: null };
        const events = item[TOTAL_ATTRS.events];
        const stamp = {
          urev: item[A.urev],
          events: delta.events === 0 ? events : num(Number(events?.N ?? 0) + delta.events),
        };
        this.swapped.set(key.pk, { version: next.version, complete: next.complete, stamp });
        return { session: { ...after, settledPrev: current, settled: next }, from: current, to: next };
      }
      // Lost a race (a concurrent fold moved a min/max, or a replay of this fold). Sums alone, then
      // each min/max on its own: a failed "only if it improves" condition needs no retry.
      const sums = totalsWrite(markerName, delta, []);
      markOwing(sums, agentId, sessionId);
      await this.table.update({ key, ...sums });
    }
    // Also on a replay: a crash between the two writes above must not lose a min/max.
    await mapLimit(monotonic, monotonic.length, (m) => this.table.update({ key, ...monotonicWrite([m]) }));
    return null;
  }

  /**
   * Lazy: the marker is queued and removed by this store's next casSettled on the session (which
   * follows a fold in the same request when the fold changed what the session contributes), saving a
   * rewrite of the whole item. Past MAX_QUEUED markers for a session, or MAX_QUEUED_SESSIONS sessions,
   * the oldest get a write of their own. A marker left behind by a stopped container only costs its
   * ~50 bytes: it matters only to a replay of its fold, and a released fold is never replayed.
   */
  async releaseFold(agentId: string, sessionId: string, foldId: string): Promise<void> {
    const key = keys.session(agentId, sessionId);
    const id = `${key.pk}`;
    const queue = this.releasable.get(id) ?? [];
    this.releasable.delete(id);
    this.releasable.set(id, [...new Set([...queue, foldMarker(foldId)])]);
    const flush = [...this.releasable.keys()].slice(
      0,
      Math.max(0, this.releasable.size - MAX_QUEUED_SESSIONS),
    );
    if (this.releasable.get(id)!.length > MAX_QUEUED) flush.push(id);
    await mapLimit(flush, WRITE_CONCURRENCY, (pk) => this.flushMarkers({ pk, sk: key.sk }));
  }

  /** Drops markers a write removed from the queue. */
  private forget(pk: string, removed: string[]): void {
    if (removed.length === 0) return;
    const left = (this.releasable.get(pk) ?? []).filter((m) => !removed.includes(m));
    if (left.length > 0) this.releasable.set(pk, left);
    else this.releasable.delete(pk);
  }

  private async flushMarkers(key: { pk: string; sk: string }): Promise<void> {
    const names = this.releasable.get(key.pk) ?? [];
    this.releasable.delete(key.pk);
    if (names.length === 0) return;
    const expr = new Expr();
    await this.table.update({
      key,
      update: `REMOVE ${names.map((n) => expr.name(n)).join(', ')}`,
      condition: `attribute_exists(${expr.name('pk')})`,
      expr,
    });
  }

  async addEval(agentId: string, sessionId: string, result: RubricResult): Promise<void> {
    const expr = new Expr();
    const evals = expr.name(A.evals);
    await this.table.update({
      key: keys.session(agentId, sessionId),
      update: `SET ${evals} = list_append(${evals}, ${expr.value({ L: [toAttr(result, 'eval')] })})`,
      condition: `attribute_exists(${expr.name('pk')})`,
      expr,
    });
  }

  async casSettled(
    agentId: string,
    sessionId: string,
    expectedVersion: number,
    next: SettledSnapshot,
  ): Promise<boolean> {
    const expr = new Expr();
    const settled = expr.name(A.settled);
    const expected = expr.value(num(expectedVersion));
    // After the swap the applied version is still `expectedVersion` (see owesSettlement).
    const owes = !next.complete || expectedVersion < next.version;
    const sets = [
      `${expr.name(A.settledPrev)} = ${settled}`,
      `${settled} = ${expr.value(snapshotAttr(next))}`,
      `${expr.name(A.settledVersion)} = ${expr.value(num(next.version))}`,
      `${expr.name(A.settledComplete)} = ${expr.value(bool(next.complete))}`,
    ];
    if (owes)
      sets.push(`${expr.name('gsi2pk')} = ${expr.value(str(indexKeys.unsettledShard(agentId, sessionId)))}`);
    const key = keys.session(agentId, sessionId);
    // Released fold markers go with this write (see releaseFold).
    const released = this.releasable.get(key.pk) ?? [];
    const removes = [...(owes ? [] : ['gsi2pk']), ...released].map((n) => expr.name(n));
    const result = await this.table.update({
      key,
      update: `SET ${sets.join(', ')}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
      condition: `attribute_exists(${expr.name('pk')}) AND ${expr.name(A.settledVersion)} = ${expected} AND ${expr.name(A.settledAppliedVersion)} = ${expected}`,
      expr,
      returnValues: 'ALL_NEW',
    });
    if (result !== false) {
      this.forget(key.pk, released);
      // The snapshot was computed from the caller's read (get); without one, this write's view.
      const stamp = this.seen.get(key.pk) ?? stampOf(result);
      this.swapped.set(key.pk, { version: next.version, complete: next.complete, stamp });
    }
    return result !== false;
  }

  async markSettledApplied(agentId: string, sessionId: string, version: number): Promise<void> {
    const key = keys.session(agentId, sessionId);
    const expr = new Expr();
    const applied = expr.name(A.settledAppliedVersion);
    const v = expr.value(num(version));
    const mine = this.swapped.get(key.pk);
    this.swapped.delete(key.pk);
    if (mine?.version === version && mine.complete && mine.stamp) {
      // This store swapped in a complete snapshot: if it is still the stored one and nothing marked the
      // session since the read it was computed from, it owes nothing once applied, so the unsettled
      // entry goes in the same write (the condition re-checks that).
      const done = await this.table.update({
        key,
        update: `SET ${applied} = ${v} REMOVE ${expr.name('gsi2pk')}, ${expr.name(A.settledPrev)}`,
        condition: `${applied} < ${v} AND ${expr.name(A.settledVersion)} = ${v} AND ${expr.name(A.settledComplete)} = ${expr.value(bool(true))} AND ${unchangedSince(expr, mine.stamp)}`,
        expr,
      });
      if (done !== false) return;
    }
    // Once applied, the previous snapshot is never needed again (a newer swap waits for this write).
    const result = await this.table.update({
      key,
      update: `SET ${applied} = ${v} REMOVE ${expr.name(A.settledPrev)}`,
      condition: `attribute_exists(${expr.name('pk')}) AND ${applied} < ${v}`,
      expr,
      returnValues: 'ALL_NEW',
    });
    const stamp = mine?.version === version ? mine.stamp : this.seen.get(key.pk);
    if (!stamp) return;
    // Already applied (result false): a call that only drops the mark (see SessionStore).
    if (result === false || (result.gsi2pk !== undefined && !owesSettlement(itemToSession(result)))) {
      await this.clearUnsettled(key, stamp);
    }
  }

  /**
   * Removes the unsettled entry under a condition that re-checks the predicate on the stored item and
   * that no write marked the session since `stamp` was read, so a casSettled that slipped in between
   * (and owes again) or a change the settlement did not see keeps its entry.
   */
  private async clearUnsettled(key: { pk: string; sk: string }, stamp: Stamp): Promise<void> {
    const expr = new Expr();
    await this.table.update({
      key,
      update: `REMOVE ${expr.name('gsi2pk')}`,
      condition: `attribute_exists(${expr.name('gsi2pk')}) AND ${expr.name(A.settledComplete)} = ${expr.value(bool(true))} AND ${expr.name(A.settledAppliedVersion)} >= ${expr.name(A.settledVersion)} AND ${unchangedSince(expr, stamp)}`,
      expr,
    });
  }

  async listUnsettled(before: number, limit: number): Promise<Session[]> {
    if (limit <= 0) return [];
    const perShard = await Promise.all(SHARD_IDS.map((shard) => this.unsettledInShard(shard, before, limit)));
    return perShard
      .flat()
      .sort((a, b) => lastActivity(a) - lastActivity(b))
      .slice(0, limit);
  }

  private async unsettledInShard(shard: number, before: number, limit: number): Promise<Session[]> {
    const found: Session[] = [];
    let start: Item | undefined;
    do {
      const expr = new Expr();
      const page = await this.table.queryPage(
        {
          IndexName: 'gsi2',
          // gsi2sk is createdAt ≤ last activity; the activity itself is checked on the item.
          KeyConditionExpression: `${expr.name('gsi2pk')} = ${expr.value(str(`U#${shard}`))} AND ${expr.name('gsi2sk')} < ${expr.value(str(encTimeBound(before)))}`,
          Limit: Math.max(limit, 25),
          ...expr.maps(),
        },
        start,
      );
      start = page.lastKey;
      const items = await this.table.batchGet(page.items.map((i) => ({ pk: i.pk!.S!, sk: i.sk!.S! })));
      // An entry on a session that owes nothing by its snapshot is a mark (an upsert or fold since the
      // settlement) or one left behind by an interrupted markSettledApplied: the item cannot tell them
      // apart, so both are listed and reconcile drops the mark once it finds the settlement up to date.
      for (const item of items) {
        const s = itemToSession(item);
        if (lastActivity(s) < before) found.push(s);
      }
    } while (start && found.length < limit);
    return found;
  }

  async list(
    agentId: string,
    from: number,
    to: number,
    cursor: string | null,
    limit: number,
  ): Promise<Page<Session>> {
    if (limit <= 0 || to <= from) return { items: [], cursor: null };
    const after = decodeCursor(cursor, isSessionCursor) as [string, string] | null;
    const expr = new Expr();
    const start: Item | undefined = after
      ? {
          gsi1pk: str(indexKeys.sessionsOf(agentId)),
          gsi1sk: str(after[0]),
          ...keyItem(keys.session(agentId, after[1])),
        }
      : undefined;
    const { items: refs } = await this.table.query(
      {
        IndexName: 'gsi1',
        KeyConditionExpression: `${expr.name('gsi1pk')} = ${expr.value(str(indexKeys.sessionsOf(agentId)))} AND ${expr.name('gsi1sk')} BETWEEN ${expr.value(str(encTimeBound(from)))} AND ${expr.value(str(encTimeBound(to)))}`,
        ScanIndexForward: false,
        Limit: limit + 1,
        ...expr.maps(),
      },
      (found) => found.length > limit,
      start,
    );
    const page = refs.slice(0, limit);
    const items = await this.table.batchGet(page.map((r) => ({ pk: r.pk!.S!, sk: r.sk!.S! })));
    const byPk = new Map(items.map((i) => [i.pk!.S!, itemToSession(i)]));
    const sessions = page
      .map((r) => byPk.get(r.pk!.S!))
      .filter((s): s is Session => s !== undefined && s.startedAt >= from && s.startedAt < to);
    const last = page[page.length - 1];
    return {
      items: sessions,
      cursor: refs.length > limit && last ? encodeCursor([last.gsi1sk!.S!, sessionIdOf(last)]) : null,
    };
  }

  /** See session-search.ts: an in-memory search over the window's sessions (capped, costs documented). */
  search(q: SessionSearch, cursor: string | null, limit: number): Promise<Page<Session>> {
    return searchSessions(this.table, q, cursor, limit);
  }

  listEvals(q: SessionSearch, limit: number): ReturnType<typeof listSessionEvals> {
    return listSessionEvals(this.table, q, limit);
  }
}

const isSessionCursor = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'string' && typeof v[1] === 'string';

/** The session id of a gsi1 entry: the part of its sort key after "<startedAt>#". */
const sessionIdOf = (ref: Item): string => {
  const order = ref.gsi1sk!.S!;
  return order.slice(order.indexOf('#') + 1);
};

/** SET clauses for the upsert-owned fields that differ between `before` and `after`. */
function changedFields(before: Session, after: Session, expr: Expr): string[] {
  const sets: string[] = [];
  const set = (attr: string, value: Parameters<Expr['value']>[0]) =>
    sets.push(`${expr.name(attr)} = ${expr.value(value)}`);
  const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
  if (before.name !== after.name) set(A.name, strOrNull(after.name));
  if (before.task !== after.task) set(A.task, strOrNull(after.task));
  if (!same(before.tags, after.tags)) set(A.tags, toAttr(after.tags, 'tags'));
  if (before.experimentId !== after.experimentId) set(A.experimentId, strOrNull(after.experimentId));
  if (before.datasetItemId !== after.datasetItemId) set(A.datasetItemId, strOrNull(after.datasetItemId));
  if (!same(before.rubrics, after.rubrics)) set(A.rubrics, toAttr(after.rubrics, 'rubrics'));
  if (before.production !== after.production) set(A.production, bool(after.production));
  if (before.sampleRate !== after.sampleRate) set(A.sampleRate, num(after.sampleRate));
  if (before.stub !== after.stub) set(A.stub, bool(after.stub));
  if (before.status !== after.status) set(A.status, str(after.status));
  if (before.endedAt !== after.endedAt) set(A.endedAt, numOrNull(after.endedAt));
  if (before.startedAt !== after.startedAt) {
    set(A.startedAt, num(after.startedAt));
    set('gsi1sk', str(indexKeys.sessionOrder(after.startedAt, after.sessionId)));
  }
  for (const [k, v] of Object.entries(after.outcome)) {
    if (before.outcome[k as keyof Session['outcome']] !== v) {
      sets.push(`${expr.name(A.outcome)}.${expr.name(k)} = ${expr.value(toAttr(v, `outcome.${k}`))}`);
    }
  }
  if (before.updatedAt !== after.updatedAt) set(A.updatedAt, num(after.updatedAt));
  return sets;
}

/**
 * Turns a totals write into "totals and settlement": SETs the snapshot as casSettled does, on the
 * conditions that the snapshot is still the one read (and applied) and that no upsert or other fold
 * changed the session since the read (upsert revision and event count unchanged), so the snapshot
 * computed from that read is the right one. `next` null adds only the conditions.
 */
function guardSettle(
  write: ReturnType<typeof totalsWrite>,
  item: Item,
  agentId: string,
  sessionId: string,
  version: number,
  next: SettledSnapshot | null,
): void {
  const { expr } = write;
  const same = (attr: string) =>
    item[attr]?.N === undefined
      ? `attribute_not_exists(${expr.name(attr)})`
      : `${expr.name(attr)} = ${expr.value(item[attr]!)}`;
  const v = expr.value(num(version));
  const conditions = [
    same(A.urev),
    same(TOTAL_ATTRS.events),
    `${expr.name(A.settledVersion)} = ${v}`,
    `${expr.name(A.settledAppliedVersion)} = ${v}`,
  ];
  write.condition = `${write.condition} AND ${conditions.join(' AND ')}`;
  if (!next) return;
  const settled = expr.name(A.settled);
  const sets = [
    `${expr.name(A.settledPrev)} = ${settled}`,
    `${settled} = ${expr.value(snapshotAttr(next))}`,
    `${expr.name(A.settledVersion)} = ${expr.value(num(next.version))}`,
    `${expr.name(A.settledComplete)} = ${expr.value(bool(next.complete))}`,
    // A new snapshot is never applied yet: it owes (see casSettled).
    `${expr.name('gsi2pk')} = ${expr.value(str(indexKeys.unsettledShard(agentId, sessionId)))}`,
  ];
  write.update = write.update.replace(/^SET /, `SET ${sets.join(', ')}, `);
}

/** The min/max fields this fold would move, judged on a read (conditions re-check on the write). */
function wantedMonotonic(item: Item, delta: TotalsDelta, at: number | null, shard: string): Monotonic[] {
  const owing = { gsi2pk: shard };
  const current = (attr: string): number | null =>
    item[attr]?.N === undefined ? null : Number(item[attr]!.N);
  const out: Monotonic[] = [];
  const updatedAt = current(A.updatedAt);
  if (at !== null && (updatedAt === null || at > updatedAt)) {
    out.push({ attr: A.updatedAt, value: at, keep: 'max', with: owing });
  }
  const first = current(FIRST_EVENT_ATTR);
  if (delta.firstEventAt !== null && (first === null || delta.firstEventAt < first)) {
    out.push({ attr: FIRST_EVENT_ATTR, value: delta.firstEventAt, keep: 'min', with: owing });
  }
  const last = current(LAST_EVENT_END_ATTR);
  if (delta.lastEventEndAt !== null && (last === null || delta.lastEventEndAt > last)) {
    out.push({ attr: LAST_EVENT_END_ATTR, value: delta.lastEventEndAt, keep: 'max', with: owing });
  }
  return out;
}

function monotonicWrite(fields: Monotonic[], expr = new Expr()) {
  const sets: string[] = [];
  const withSet = new Set<string>();
  const conditions = [`attribute_exists(${expr.name('pk')})`];
  for (const m of fields) {
    const attr = expr.name(m.attr);
    const value = expr.value(num(m.value));
    sets.push(`${attr} = ${value}`);
    for (const [a, v] of Object.entries(m.with ?? {})) {
      // Several fields may carry the same companion attribute: SET it once.
      if (withSet.has(a)) continue;
      withSet.add(a);
      sets.push(`${expr.name(a)} = ${expr.value(str(v))}`);
    }
    conditions.push(`(attribute_not_exists(${attr}) OR ${attr} ${m.keep === 'max' ? '<' : '>'} ${value})`);
  }
  return { update: `SET ${sets.join(', ')}`, condition: conditions.join(' AND '), expr };
}

/**
 * ADD the sums and SET the fold marker (plus `monotonic`), only if the marker is absent; REMOVE the
 * markers of folds released earlier (`released`) on the side.
 */
function totalsWrite(
  markerName: string,
  delta: TotalsDelta,
  monotonic: Monotonic[],
  released: string[] = [],
) {
  const expr = new Expr();
  const base = monotonic.length > 0 ? monotonicWrite(monotonic, expr) : null;
  const marker = expr.name(markerName);
  const sets = [...(base ? [base.update.slice('SET '.length)] : []), `${marker} = ${expr.value(num(1))}`];
  const adds: string[] = [];
  for (const [field, attr] of Object.entries(TOTAL_ATTRS)) {
    const amount = delta[field as keyof typeof TOTAL_ATTRS];
    if (amount !== 0 && Number.isFinite(amount))
      adds.push(`${expr.name(attr)} ${expr.value(addend(amount))}`);
  }
  const conditions = [
    base?.condition ?? `attribute_exists(${expr.name('pk')})`,
    `attribute_not_exists(${marker})`,
  ];
  const removes = released.map((m) => expr.name(m));
  return {
    expr,
    update: `SET ${sets.join(', ')}${adds.length > 0 ? ` ADD ${adds.join(', ')}` : ''}${removes.length > 0 ? ` REMOVE ${removes.join(', ')}` : ''}`,
    condition: conditions.join(' AND '),
  };
}

const unsettledShardOf = (agentId: string, sessionId: string): string =>
  indexKeys.unsettledShard(agentId, sessionId);

/** The SET clause that puts a session in the unsettled index (marks it owing). */
function owingMark(expr: Expr, agentId: string, sessionId: string): string {
  return `${expr.name('gsi2pk')} = ${expr.value(str(unsettledShardOf(agentId, sessionId)))}`;
}

/** Adds the owing mark to a totals write (see SessionStore.applyTotals). */
function markOwing(write: ReturnType<typeof totalsWrite>, agentId: string, sessionId: string): void {
  write.update = write.update.replace(/^SET /, `SET ${owingMark(write.expr, agentId, sessionId)}, `);
}

/** The fields without their companion attributes (a write that sets them with the totals marks once). */
const plain = (fields: Monotonic[]): Monotonic[] => fields.map(({ with: _w, ...m }) => m);

/** A condition that the session's upsert revision and event count are still those of `stamp`. */
function unchangedSince(expr: Expr, stamp: Stamp): string {
  const same = (attr: string, value: AttributeValue | undefined) =>
    value === undefined
      ? `attribute_not_exists(${expr.name(attr)})`
      : `${expr.name(attr)} = ${expr.value(value)}`;
  return `${same(A.urev, stamp.urev)} AND ${same(TOTAL_ATTRS.events, stamp.events)}`;
}
