import type { EventStore, Page, StoredEvent } from '../../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { type DuckDbDatabase, num, type SqlParam } from './database';

const COLUMNS = 23;

function row(e: StoredEvent): SqlParam[] {
  return [
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
    !e.folded,
    JSON.stringify(e),
  ];
}

/** Events with their queryable fields as columns (for exact ad-hoc queries) and the full record as JSON. */
export class DuckDbEventStore implements EventStore {
  constructor(private readonly db: DuckDbDatabase) {}

  insertNew(events: StoredEvent[]): Promise<{ inserted: string[]; duplicates: string[] }> {
    if (events.length === 0) return Promise.resolve({ inserted: [], duplicates: [] });
    return this.db.tx(async (q) => {
      const inserted: string[] = [];
      const duplicates: string[] = [];
      const bySession = new Map<string, StoredEvent[]>();
      for (const e of events) {
        const k = `${e.agentId}\u0000${e.sessionId}`;
        const list = bySession.get(k) ?? [];
        list.push(e);
        bySession.set(k, list);
      }
      const fresh: StoredEvent[] = [];
      for (const list of bySession.values()) {
        const first = list[0]!;
        const ids = list.map((e) => e.eventId);
        const existing = new Set(
          (
            await q.all(
              `SELECT event_id FROM events WHERE agent_id = $1 AND session_id = $2 AND event_id IN (${ids
                .map((_, i) => `$${i + 3}`)
                .join(',')})`,
              [first.agentId, first.sessionId, ...ids],
            )
          ).map((r) => r.event_id as string),
        );
        const seen = new Set<string>();
        for (const e of list) {
          if (existing.has(e.eventId) || seen.has(e.eventId)) duplicates.push(e.eventId);
          else {
            seen.add(e.eventId);
            fresh.push(e);
            inserted.push(e.eventId);
          }
        }
      }
      for (let i = 0; i < fresh.length; i += 200) {
        const chunk = fresh.slice(i, i + 200);
        const values = chunk
          .map(
            (_, r) => `(${Array.from({ length: COLUMNS }, (_, c) => `$${r * COLUMNS + c + 1}`).join(',')})`,
          )
          .join(',');
        await q.run(`INSERT INTO events VALUES ${values}`, chunk.flatMap(row));
      }
      return { inserted, duplicates };
    });
  }

  markFolded(agentId: string, sessionId: string, eventIds: string[]): Promise<void> {
    if (eventIds.length === 0) return Promise.resolve();
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        `SELECT event_id, doc FROM events WHERE agent_id = $1 AND session_id = $2 AND pending AND event_id IN (${eventIds
          .map((_, i) => `$${i + 3}`)
          .join(',')})`,
        [agentId, sessionId, ...eventIds],
      );
      if (rows.length === 0) return;
      await q.run(
        `UPDATE events SET pending = false WHERE agent_id = $1 AND session_id = $2 AND event_id IN (${rows
          .map((_, i) => `$${i + 3}`)
          .join(',')})`,
        [agentId, sessionId, ...rows.map((r) => r.event_id as string)],
      );
    });
  }

  listPending(before: number, limit: number): Promise<StoredEvent[]> {
    return this.db.exclusive(async (q) => {
      const rows = await q.all(
        'SELECT doc FROM events WHERE pending AND received_at < $1 ORDER BY received_at LIMIT $2',
        [before, limit],
      );
      return rows.map((r) => ({ ...(JSON.parse(r.doc as string) as StoredEvent), folded: false }));
    });
  }

  listBySession(
    agentId: string,
    sessionId: string,
    cursor: string | null,
    limit: number,
  ): Promise<Page<StoredEvent>> {
    return this.db.exclusive(async (q) => {
      const after = decodeCursor<[number, string]>(cursor);
      const rows = await q.all(
        `SELECT doc, pending FROM events WHERE agent_id = $1 AND session_id = $2
           AND ($3::BIGINT IS NULL OR (started_at, event_id) > ($3::BIGINT, $4::VARCHAR))
         ORDER BY started_at, event_id LIMIT $5`,
        [agentId, sessionId, after ? num(after[0]) : null, after ? String(after[1]) : null, limit + 1],
      );
      const items = rows
        .slice(0, limit)
        .map((r) => ({ ...(JSON.parse(r.doc as string) as StoredEvent), folded: !(r.pending as boolean) }));
      const last = items[items.length - 1];
      return {
        items,
        cursor: rows.length > limit && last ? encodeCursor([last.startedAt, last.eventId]) : null,
      };
    });
  }
}
