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
import { decodeCursor, encodeCursor } from './cursor';
import type { DuckDbDatabase } from './database';
import { hashKey, KeyHashSet } from './hash-set';
import { listSessionEvals, searchSessions } from './session-search';

const k2 = (a: string, b: string) => `${a}\u0000${b}`;
const CACHE_LIMIT = 200_000;

/**
 * Sessions as JSON documents with indexed columns. This process is the only writer, so a cache of
 * the documents is authoritative; changes are staged for the database's group commit.
 */
export class DuckDbSessionStore implements SessionStore {
  private readonly cache = new Map<string, Session>();
  private readonly locations = new Map<string, string>();
  private folds: Set<string> | null = null;
  /**
   * Sessions marked owing by an upsert or fold after their settlement (the `unsettled` column holds the
   * mark with owesSettlement), each with the number of the write that marked it; `seenMarks` is that
   * number as of the last `get`, so markSettledApplied drops only a mark its caller's read saw.
   */
  private readonly marks = new Map<string, number>();
  private readonly seenMarks = new Map<string, number>();
  private markCount = 0;

  constructor(private readonly db: DuckDbDatabase) {
    db.register({
      name: 'sessions',
      columns: ['agent_id', 'session_id', 'started_at', 'last_activity', 'unsettled', 'doc'],
      key: ['agent_id', 'session_id'],
    });
    db.register({
      name: 'session_locations',
      columns: ['session_id', 'agent_id'],
      key: ['session_id'],
      insertOnly: true,
    });
    db.register({
      name: 'session_folds',
      columns: ['agent_id', 'session_id', 'fold_id'],
      key: ['agent_id', 'session_id', 'fold_id'],
      insertOnly: true,
    });
  }

  /** Hashes of every stored session key and session id: a miss proves a session is new without a query. */
  private known: Promise<{ sessions: KeyHashSet; ids: KeyHashSet }> | null = null;
  /** Sessions saved by this process (evicted ones must still be found in the table). */
  private readonly added = new KeyHashSet();

  private index(): Promise<{ sessions: KeyHashSet; ids: KeyHashSet }> {
    this.known ??= this.db.direct(async (q) => {
      const sessions = new KeyHashSet();
      const ids = new KeyHashSet();
      for (const r of await q.all('SELECT agent_id, session_id FROM sessions')) {
        sessions.add(hashKey(k2(r.agent_id as string, r.session_id as string)));
      }
      for (const r of await q.all('SELECT session_id FROM session_locations'))
        ids.add(hashKey(r.session_id as string));
      return { sessions, ids };
    });
    return this.known;
  }

  private async load(agentId: string, sessionId: string): Promise<Session | null> {
    const key = k2(agentId, sessionId);
    const hit = this.cache.get(key);
    if (hit) return hit;
    const { sessions } = await this.index();
    const h = hashKey(key);
    if (!sessions.has(h) && !this.added.has(h)) return this.cache.get(key) ?? null;
    const rows = await this.db.direct((q) =>
      q.all('SELECT doc, unsettled FROM sessions WHERE agent_id = $1 AND session_id = $2', [
        agentId,
        sessionId,
      ]),
    );
    const again = this.cache.get(key);
    if (again) return again;
    if (!rows[0]) return null;
    const s = JSON.parse(rows[0].doc as string) as Session;
    if (rows[0].unsettled === true && !owesSettlement(s) && !this.marks.has(key)) this.mark(key);
    this.remember(s);
    return s;
  }

  private remember(s: Session): void {
    if (this.cache.size >= CACHE_LIMIT) {
      for (const [key, v] of this.cache) {
        if (!this.db.isStaged('sessions', key)) this.cache.delete(key);
        if (this.cache.size < CACHE_LIMIT * 0.9) break;
        void v;
      }
    }
    this.cache.set(k2(s.agentId, s.sessionId), s);
  }

  private save(s: Session): void {
    this.remember(s);
    this.added.add(hashKey(k2(s.agentId, s.sessionId)));
    this.db.stage('sessions', k2(s.agentId, s.sessionId), () => [
      s.agentId,
      s.sessionId,
      s.startedAt,
      lastActivity(s),
      owesSettlement(s) || this.marks.has(k2(s.agentId, s.sessionId)),
      JSON.stringify(s),
    ]);
  }

  async get(agentId: string, sessionId: string): Promise<Session | null> {
    const s = await this.load(agentId, sessionId);
    const key = k2(agentId, sessionId);
    if (s && this.marks.has(key)) this.seenMarks.set(key, this.marks.get(key)!);
    return s;
  }

  private mark(key: string): void {
    this.marks.set(key, ++this.markCount);
  }

  async locate(sessionId: string): Promise<string | null> {
    const hit = this.locations.get(sessionId);
    if (hit) return hit;
    const { ids } = await this.index();
    if (!ids.has(hashKey(sessionId))) return this.locations.get(sessionId) ?? null;
    const rows = await this.db.direct((q) =>
      q.all('SELECT agent_id FROM session_locations WHERE session_id = $1', [sessionId]),
    );
    const agentId = this.locations.get(sessionId) ?? (rows[0]?.agent_id as string | undefined) ?? null;
    if (agentId) this.locations.set(sessionId, agentId);
    return agentId;
  }

  /** Serialises changes to one session: a read-merge-write must not interleave with another. */
  private readonly locks = new Map<string, Promise<unknown>>();

  private withLock<T>(agentId: string, sessionId: string, fn: () => Promise<T>): Promise<T> {
    const key = k2(agentId, sessionId);
    const prev = this.locks.get(key) ?? Promise.resolve();
    const run = prev.then(fn, fn);
    const tail = run.catch(() => undefined);
    this.locks.set(key, tail);
    void tail.then(() => {
      if (this.locks.get(key) === tail) this.locks.delete(key);
    });
    return run;
  }

  upsert(change: SessionUpsert): Promise<{ session: Session; created: boolean }> {
    return this.withLock(change.agentId, change.sessionId, () => this.upsertLocked(change));
  }

  private async upsertLocked(change: SessionUpsert): Promise<{ session: Session; created: boolean }> {
    const idx = await this.index();
    const existing = await this.load(change.agentId, change.sessionId);
    const session = mergeSessionUpsert(existing, change);
    if (existing && session !== existing && settlementInputsChanged(existing, session)) {
      this.mark(k2(change.agentId, change.sessionId));
    }
    if (session !== existing) this.save(session);
    if (!existing) {
      const known = idx.ids.has(hashKey(change.sessionId)) ? await this.locate(change.sessionId) : null;
      if (!known && !this.locations.has(change.sessionId)) {
        idx.ids.add(hashKey(change.sessionId));
        this.locations.set(change.sessionId, change.agentId);
        this.db.stage('session_locations', change.sessionId, [change.sessionId, change.agentId]);
      }
    }
    return { session, created: !existing };
  }

  private async markers(): Promise<Set<string>> {
    if (!this.folds) {
      const rows = await this.db.direct((q) =>
        q.all('SELECT agent_id, session_id, fold_id FROM session_folds'),
      );
      this.folds ??= new Set(rows.map((r) => `${r.agent_id}\u0000${r.session_id}\u0000${r.fold_id}`));
    }
    return this.folds;
  }

  applyTotals(
    agentId: string,
    sessionId: string,
    foldId: string,
    delta: TotalsDelta,
    at: number,
    settle?: SettleWithFold,
  ): Promise<SettledSwap | null> {
    return this.withLock(agentId, sessionId, () =>
      this.applyTotalsLocked(agentId, sessionId, foldId, delta, at, settle),
    );
  }

  private async applyTotalsLocked(
    agentId: string,
    sessionId: string,
    foldId: string,
    delta: TotalsDelta,
    at: number,
    settle?: SettleWithFold,
  ): Promise<SettledSwap | null> {
    const markers = await this.markers();
    const marker = `${agentId}\u0000${sessionId}\u0000${foldId}`;
    const s = await this.load(agentId, sessionId);
    if (!s || markers.has(marker)) return null;
    markers.add(marker);
    const after = addTotals(s, delta, at);
    // Under the session's lock nothing can change it between the totals and the swap.
    const current = after.settled;
    const next = settle && after.settledAppliedVersion === (current?.version ?? 0) ? settle(after) : false;
    const swapped = next ? { ...after, settledPrev: current, settled: next } : after;
    // Totals the settlement has not taken in: owing until settled (see SessionStore.applyTotals).
    if (next === false) this.mark(k2(agentId, sessionId));
    this.save(swapped);
    this.db.stage('session_folds', marker, [agentId, sessionId, foldId]);
    if (next === false) return null;
    return { session: swapped, from: current, to: next };
  }

  releaseFold(agentId: string, sessionId: string, foldId: string): Promise<void> {
    return this.withLock(agentId, sessionId, () => this.releaseFoldLocked(agentId, sessionId, foldId));
  }

  private async releaseFoldLocked(agentId: string, sessionId: string, foldId: string): Promise<void> {
    const markers = await this.markers();
    const marker = `${agentId}\u0000${sessionId}\u0000${foldId}`;
    if (!markers.delete(marker)) return;
    this.db.unstage('session_folds', marker, [agentId, sessionId, foldId]);
  }

  addEval(agentId: string, sessionId: string, result: RubricResult): Promise<void> {
    return this.withLock(agentId, sessionId, () => this.addEvalLocked(agentId, sessionId, result));
  }

  private async addEvalLocked(agentId: string, sessionId: string, result: RubricResult): Promise<void> {
    const s = await this.load(agentId, sessionId);
    if (s) this.save({ ...s, evals: [...s.evals, result] });
  }

  casSettled(
    agentId: string,
    sessionId: string,
    expectedVersion: number,
    next: SettledSnapshot,
  ): Promise<boolean> {
    return this.withLock(agentId, sessionId, () =>
      this.casSettledLocked(agentId, sessionId, expectedVersion, next),
    );
  }

  private async casSettledLocked(
    agentId: string,
    sessionId: string,
    expectedVersion: number,
    next: SettledSnapshot,
  ): Promise<boolean> {
    const s = await this.load(agentId, sessionId);
    if (!s) return false;
    if ((s.settled?.version ?? 0) !== expectedVersion || s.settledAppliedVersion !== expectedVersion)
      return false;
    this.save({ ...s, settledPrev: s.settled, settled: next });
    return true;
  }

  markSettledApplied(agentId: string, sessionId: string, version: number): Promise<void> {
    return this.withLock(agentId, sessionId, () =>
      this.markSettledAppliedLocked(agentId, sessionId, version),
    );
  }

  private async markSettledAppliedLocked(agentId: string, sessionId: string, version: number): Promise<void> {
    const s = await this.load(agentId, sessionId);
    if (!s) return;
    const applied = s.settledAppliedVersion < version ? { ...s, settledAppliedVersion: version } : s;
    const key = k2(agentId, sessionId);
    const mark = this.marks.get(key);
    const unmark =
      mark !== undefined &&
      this.seenMarks.get(key) === mark &&
      applied.settled?.complete === true &&
      applied.settledAppliedVersion >= applied.settled.version;
    if (unmark) {
      this.marks.delete(key);
      this.seenMarks.delete(key);
    }
    if (applied !== s || unmark) this.save(applied);
  }

  listUnsettled(before: number, limit: number): Promise<Session[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        'SELECT doc FROM sessions WHERE unsettled AND last_activity < $1 ORDER BY last_activity LIMIT $2',
        [before, limit],
      );
      return rows.map((r) => {
        const s = JSON.parse(r.doc as string) as Session;
        return this.cache.get(k2(s.agentId, s.sessionId)) ?? s;
      });
    });
  }

  list(
    agentId: string,
    from: number,
    to: number,
    cursor: string | null,
    limit: number,
  ): Promise<Page<Session>> {
    const after = decodeCursor<[number, string]>(cursor);
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT doc FROM sessions
         WHERE agent_id = $1 AND started_at >= $2 AND started_at < $3
           AND ($4::BIGINT IS NULL OR (started_at, session_id) < ($4::BIGINT, $5::VARCHAR))
         ORDER BY started_at DESC, session_id DESC LIMIT $6`,
        [agentId, from, to, after ? Number(after[0]) : null, after ? String(after[1]) : null, limit + 1],
      );
      const items = rows.slice(0, limit).map((r) => JSON.parse(r.doc as string) as Session);
      const last = items[items.length - 1];
      return {
        items,
        cursor: rows.length > limit && last ? encodeCursor([last.startedAt, last.sessionId]) : null,
      };
    });
  }

  search(q: SessionSearch, cursor: string | null, limit: number): Promise<Page<Session>> {
    return searchSessions(this.db, q, cursor, limit);
  }

  listEvals(q: SessionSearch, limit: number): ReturnType<typeof listSessionEvals> {
    return listSessionEvals(this.db, q, limit);
  }
}
