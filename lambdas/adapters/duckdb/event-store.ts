import type { ErrorGroup, ErrorGroupSearch, EventStore, Page, StoredEvent } from '../../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { type DuckDbDatabase, num, type SqlParam } from './database';
import { errorGroups } from './error-groups';
import { hashKey, KeyHashSet } from './hash-set';

const COLUMNS = [
  'key_hash',
  'agent_id',
  'session_id',
  'event_id',
  'parent_event_id',
  'type',
  'raw_type',
  'name',
  'started_at',
  'duration_ms',
  'model',
  'provider',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'reasoning_tokens',
  'cost_usd',
  'unpriced',
  'error_category',
  'error_fingerprint',
  'production',
  'received_at',
  'doc',
];
const TYPES: Array<'varchar' | 'bigint' | 'double' | 'boolean'> = [
  'bigint',
  'varchar',
  'varchar',
  'varchar',
  'varchar',
  'varchar',
  'varchar',
  'varchar',
  'bigint',
  'double',
  'varchar',
  'varchar',
  'bigint',
  'bigint',
  'bigint',
  'bigint',
  'double',
  'boolean',
  'varchar',
  'varchar',
  'boolean',
  'bigint',
  'varchar',
];

function row(hash: number, e: StoredEvent): SqlParam[] {
  return [
    hash,
    e.agentId,
    e.sessionId,
    e.eventId,
    e.parentEventId,
    e.type,
    e.rawType,
    e.name,
    e.startedAt,
    e.durationMs,
    e.model,
    e.provider,
    e.usage?.inputTokens ?? null,
    e.usage?.outputTokens ?? null,
    e.usage?.cachedInputTokens ?? null,
    e.usage?.reasoningTokens ?? null,
    e.cost?.usd ?? null,
    e.cost?.unpriced ?? null,
    e.error?.category ?? null,
    e.error?.fingerprint ?? null,
    e.fold.production,
    e.receivedAt,
    JSON.stringify(e),
  ];
}

const k3 = (a: string, b: string, c: string) => `${a}\u0000${b}\u0000${c}`;
const inList = (n: number, from: number) => Array.from({ length: n }, (_, i) => `$${i + from}`).join(',');

/**
 * Events: an append-only table (DuckDB appender, no key constraint) with the queryable fields as
 * columns and the full record as JSON. Duplicates are caught before staging: an in-memory set of key
 * hashes proves most keys new without a lookup; a hash hit is confirmed against the table. Folds not
 * yet marked done live in the small `pending_events` table.
 */
export class DuckDbEventStore implements EventStore {
  private keys: KeyHashSet | null = null;
  private loading: Promise<KeyHashSet> | null = null;
  /** Event ids of the folds this process inserted and has not marked done yet, by (agent, session, fold). */
  private readonly pendingByFold = new Map<string, Set<string>>();

  constructor(private readonly db: DuckDbDatabase) {
    db.register({ name: 'events', columns: COLUMNS, key: ['key_hash'], append: TYPES });
    db.register({
      name: 'pending_events',
      columns: ['agent_id', 'session_id', 'event_id', 'received_at', 'fold_id'],
      key: ['agent_id', 'session_id', 'event_id'],
      insertOnly: true,
    });
  }

  private keySet(): Promise<KeyHashSet> {
    if (this.keys) return Promise.resolve(this.keys);
    this.loading ??= this.db.direct(async (q) => {
      const set = new KeyHashSet();
      for (const r of await q.all('SELECT key_hash FROM events')) set.add(num(r.key_hash));
      this.keys = set;
      return set;
    });
    return this.loading;
  }

  async insertNew(events: StoredEvent[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    const keys = await this.keySet();
    const inserted: string[] = [];
    const duplicates: string[] = [];
    const maybe: Array<{ e: StoredEvent; key: string; hash: number }> = [];
    const stage = (e: StoredEvent, key: string, hash: number) => {
      keys.add(hash);
      this.db.stage('events', key, row(hash, e));
      this.db.stage('pending_events', key, [e.agentId, e.sessionId, e.eventId, e.receivedAt, e.fold.foldId]);
      const fk = k3(e.agentId, e.sessionId, e.fold.foldId);
      const ids = this.pendingByFold.get(fk) ?? new Set<string>();
      ids.add(e.eventId);
      this.pendingByFold.set(fk, ids);
      inserted.push(e.eventId);
    };
    for (const e of events) {
      const key = k3(e.agentId, e.sessionId, e.eventId);
      const hash = hashKey(key);
      if (this.db.isStaged('events', key)) duplicates.push(e.eventId);
      else if (keys.has(hash)) maybe.push({ e, key, hash });
      else stage(e, key, hash);
    }
    for (const m of maybe) {
      const rows = await this.db.direct((q) =>
        q.all(
          'SELECT 1 FROM events WHERE key_hash = $1 AND agent_id = $2 AND session_id = $3 AND event_id = $4 LIMIT 1',
          [m.hash, m.e.agentId, m.e.sessionId, m.e.eventId],
        ),
      );
      if (rows.length > 0 || this.db.isStaged('events', m.key)) duplicates.push(m.e.eventId);
      else stage(m.e, m.key, m.hash);
    }
    return { inserted, duplicates };
  }

  async markFolded(agentId: string, sessionId: string, foldId: string): Promise<void> {
    const fk = k3(agentId, sessionId, foldId);
    let ids = this.pendingByFold.get(fk);
    if (!ids) {
      // A fold of an earlier process (replayed after a restart): its rows are committed.
      const rows = await this.db.direct((q) =>
        q.all(
          'SELECT event_id FROM pending_events WHERE agent_id = $1 AND session_id = $2 AND fold_id = $3',
          [agentId, sessionId, foldId],
        ),
      );
      ids = new Set(rows.map((r) => String(r.event_id)));
    }
    for (const id of ids) {
      this.db.unstage('pending_events', k3(agentId, sessionId, id), [agentId, sessionId, id]);
    }
    this.pendingByFold.delete(fk);
  }

  listPending(before: number, limit: number): Promise<StoredEvent[]> {
    return this.db.exclusive(async (q) => {
      // Whole folds only (a fold replayed in parts could apply a key twice): take folds in age order
      // while their events fit in the limit, and always the first one.
      const rows = await q.all(
        `WITH folds AS (
           SELECT fold_id, min(received_at) AS t, count(*) AS n FROM pending_events
           WHERE received_at < $1 GROUP BY fold_id),
         ranked AS (SELECT fold_id, t, n, sum(n) OVER (ORDER BY t, fold_id) - n AS before_n FROM folds)
         SELECT e.doc FROM pending_events p JOIN ranked r ON r.fold_id = p.fold_id JOIN events e
           ON e.agent_id = p.agent_id AND e.session_id = p.session_id AND e.event_id = p.event_id
         WHERE r.before_n = 0 OR r.before_n + r.n <= $2 ORDER BY r.t, p.fold_id, p.received_at`,
        [before, limit],
      );
      return rows.map((r) => JSON.parse(r.doc as string) as StoredEvent);
    });
  }

  listBySession(
    agentId: string,
    sessionId: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<StoredEvent>> {
    const after = decodeCursor<[number, string]>(cursor);
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT e.doc FROM events e
         WHERE e.agent_id = $1 AND e.session_id = $2
           AND ($3::BIGINT IS NULL OR (e.started_at, e.event_id) > ($3::BIGINT, $4::VARCHAR))
         ORDER BY e.started_at, e.event_id LIMIT $5`,
        [agentId, sessionId, after ? num(after[0]) : null, after ? String(after[1]) : null, limit + 1],
      );
      const items = rows.slice(0, limit).map((r) => JSON.parse(r.doc as string) as StoredEvent);
      const last = items[items.length - 1];
      return {
        items,
        cursor: rows.length > limit && last ? encodeCursor([last.startedAt, last.eventId]) : null,
      };
    });
  }

  errorGroups(q: ErrorGroupSearch, cursor: string | null, limit: number): Promise<Page<ErrorGroup>> {
    return errorGroups(this.db, q, cursor, limit);
  }
}

export { inList };
