import type { ErrorGroup, ErrorGroupSearch, Page, StoredEvent } from '../../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { type DuckDbDatabase, num, type SqlParam } from './database';

/** EventStore.errorGroups: failed events grouped by fingerprint, keyset-paged on (count desc, fingerprint). */
export function errorGroups(
  database: DuckDbDatabase,
  q: ErrorGroupSearch,
  cursor: string | null,
  limit: number,
): Promise<Page<ErrorGroup>> {
  return database.exclusive(async (db) => {
    const params: SqlParam[] = [q.agentId, q.from, q.to];
    const p = (v: SqlParam): string => {
      params.push(v);
      return `$${params.length}`;
    };
    const where = ['agent_id = $1', 'started_at >= $2', 'started_at < $3', 'error_fingerprint IS NOT NULL'];
    if (q.production !== null) where.push(`production = ${p(q.production)}`);
    if (q.model !== null) where.push(`model = ${p(q.model)}`);
    if (q.eventType !== null) where.push(`type = ${p(q.eventType)}`);
    if (q.errorCategory !== null) where.push(`error_category = ${p(q.errorCategory)}`);
    if (q.sessionSlice !== null) {
      where.push(
        `list_contains(CAST(json_extract(doc, '$.fold.sessionSlices') AS VARCHAR[]), ${p(q.sessionSlice)})`,
      );
    }
    const after = decodeCursor<[number, string]>(cursor);
    const having = after
      ? `HAVING count(*) < ${p(num(after[0]))} OR (count(*) = $${params.length} AND error_fingerprint > ${p(String(after[1]))})`
      : '';
    const rows = await db.all(
      `SELECT error_fingerprint AS fingerprint, count(*) AS n,
         sum(coalesce(CAST(doc->>'$.fold.weight' AS DOUBLE), 1)) AS weighted,
         count(DISTINCT session_id) AS sessions, min(started_at) AS first_seen, max(started_at) AS last_seen,
         arg_max(doc, started_at) AS sample,
         CAST(to_json(array_slice(list(session_id ORDER BY started_at DESC, event_id DESC), 1, 500)) AS VARCHAR) AS sample_sessions
       FROM events WHERE ${where.join(' AND ')}
       GROUP BY error_fingerprint ${having}
       ORDER BY n DESC, fingerprint ASC LIMIT ${p(limit + 1)}`,
      params,
    );
    const items = rows.slice(0, limit).map((r): ErrorGroup => {
      const sample = JSON.parse(r.sample as string) as StoredEvent;
      return {
        fingerprint: r.fingerprint as string,
        category: sample.error?.category ?? 'unknown',
        type: sample.error?.type ?? null,
        message: sample.error?.message ?? '',
        stack: sample.error?.stack ?? null,
        count: num(r.n),
        weightedCount: num(r.weighted),
        sessions: num(r.sessions),
        firstSeen: num(r.first_seen),
        lastSeen: num(r.last_seen),
        // Most recent occurrence first, each session once.
        sampleSessionIds: [...new Set(JSON.parse(r.sample_sessions as string) as string[])].slice(0, 5),
        sampleEventId: sample.eventId,
      };
    });
    const last = items[items.length - 1];
    return {
      items,
      cursor: rows.length > limit && last ? encodeCursor([last.count, last.fingerprint]) : null,
    };
  });
}
