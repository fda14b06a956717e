import type { RubricResult, Session } from '../../domain/model';
import type { Page, SessionSearch } from '../../domain/ports';
import { decodeCursor, encodeCursor } from './cursor';
import { type DuckDbDatabase, num, type SqlParam } from './database';

/**
 * SQL for SessionStore.search / listEvals: the session document's fields the filters and sorts need,
 * extracted with DuckDB's JSON functions (the sessions table keeps the document whole).
 */
const FIELDS = `
  SELECT session_id, started_at, doc,
    CAST(doc->>'$.production' AS BOOLEAN) AS production,
    doc->>'$.status' AS status,
    doc->>'$.experimentId' AS experiment_id,
    CAST(json_extract(doc, '$.tags') AS VARCHAR[]) AS tags,
    CAST(doc->>'$.totals.costUsd' AS DOUBLE) AS cost,
    CAST(doc->>'$.totals.errors' AS DOUBLE) AS errors,
    CAST(doc->>'$.totals.events' AS DOUBLE) AS events,
    CAST(doc->>'$.totals.inputTokens' AS DOUBLE) + CAST(doc->>'$.totals.outputTokens' AS DOUBLE) AS tokens,
    CAST(doc->>'$.endedAt' AS DOUBLE) AS ended_at,
    CAST(doc->>'$.totals.firstEventAt' AS DOUBLE) AS first_event_at,
    CAST(doc->>'$.totals.lastEventEndAt' AS DOUBLE) AS last_event_end_at
  FROM sessions WHERE agent_id = $1 AND started_at >= $2 AND started_at < $3`;

/** model.ts sessionDurationMs in SQL; -1 when the session has no end yet. */
const DURATION = `CASE WHEN ended_at IS NULL AND last_event_end_at IS NULL THEN -1
  ELSE greatest(0, greatest(coalesce(ended_at, last_event_end_at), coalesce(last_event_end_at, ended_at))
       - least(started_at, coalesce(first_event_at, started_at))) END`;

export const SORT_SQL: Record<SessionSearch['sort'], string> = {
  started_at: 'CAST(started_at AS DOUBLE)',
  cost: 'coalesce(cost, 0)',
  duration: DURATION,
  errors: 'coalesce(errors, 0)',
  tokens: 'coalesce(tokens, 0)',
  events: 'coalesce(events, 0)',
};

/** The filtered set as a CTE `s`, with the parameters it binds. */
export function searchCte(q: SessionSearch): { sql: string; params: SqlParam[] } {
  const params: SqlParam[] = [q.agentId, q.from, q.to];
  const p = (v: SqlParam): string => {
    params.push(v);
    return `$${params.length}`;
  };
  const where: string[] = [];
  if (q.production !== null) where.push(`production = ${p(q.production)}`);
  if (q.status !== null) where.push(`status = ${p(q.status)}`);
  if (q.experimentId !== null) where.push(`experiment_id = ${p(q.experimentId)}`);
  if (q.hasError !== null) where.push(q.hasError ? 'coalesce(errors, 0) > 0' : 'coalesce(errors, 0) = 0');
  if (q.minCostUsd !== null) where.push(`coalesce(cost, 0) >= ${p(q.minCostUsd)}`);
  for (const t of q.tags) {
    const forms = [`${t.key}:${t.value}`, `${t.key}=${t.value}`, ...(t.key === 'tag' ? [t.value] : [])];
    where.push(`(${forms.map((f) => `list_contains(tags, ${p(f)})`).join(' OR ')})`);
  }
  const eventConds: string[] = [];
  if (q.model !== null) eventConds.push(`e.model = ${p(q.model)}`);
  if (q.eventType !== null) eventConds.push(`e.type = ${p(q.eventType)}`);
  if (q.errorCategory !== null) eventConds.push(`e.error_category = ${p(q.errorCategory)}`);
  if (q.fingerprint !== null) eventConds.push(`e.error_fingerprint = ${p(q.fingerprint)}`);
  for (const c of eventConds) {
    where.push(
      `EXISTS (SELECT 1 FROM events e WHERE e.agent_id = $1 AND e.session_id = f.session_id AND ${c})`,
    );
  }
  const sql = `WITH f AS (${FIELDS}),
    s AS (SELECT *, ${SORT_SQL[q.sort]} AS sort_value FROM f ${where.length ? `WHERE ${where.join(' AND ')}` : ''})`;
  return { sql, params };
}

/** SessionStore.search: keyset-paged on (sort value, session id). */
export function searchSessions(
  database: DuckDbDatabase,
  q: SessionSearch,
  cursor: string | null,
  limit: number,
): Promise<Page<Session>> {
  return database.exclusive(async (db) => {
    const after = decodeCursor<[number, string]>(cursor);
    const { sql, params } = searchCte(q);
    const cmp = q.order === 'desc' ? '<' : '>';
    const dir = q.order === 'desc' ? 'DESC' : 'ASC';
    let keyset = '';
    if (after) {
      params.push(num(after[0]), String(after[1]));
      keyset = `WHERE (sort_value, session_id) ${cmp} ($${params.length - 1}::DOUBLE, $${params.length}::VARCHAR)`;
    }
    params.push(limit + 1);
    const rows = await db.all(
      `${sql} SELECT doc, sort_value, session_id FROM s ${keyset}
       ORDER BY sort_value ${dir}, session_id ${dir} LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      items: page.map((r) => JSON.parse(r.doc as string) as Session),
      cursor: rows.length > limit && last ? encodeCursor([num(last.sort_value), last.session_id]) : null,
    };
  });
}

/** SessionStore.listEvals: the rubric results of the matching sessions, most recent session first. */
export function listSessionEvals(
  database: DuckDbDatabase,
  q: SessionSearch,
  limit: number,
): Promise<{
  items: Array<{ sessionId: string; startedAt: number; result: RubricResult }>;
  truncated: boolean;
}> {
  return database.exclusive(async (db) => {
    const { sql, params } = searchCte(q);
    const rows = await db.all(
      `${sql} SELECT session_id, started_at, CAST(json_extract(doc, '$.evals') AS VARCHAR) AS evals FROM s
       WHERE json_array_length(json_extract(doc, '$.evals')) > 0 ORDER BY started_at DESC, session_id DESC`,
      params,
    );
    const items: Array<{ sessionId: string; startedAt: number; result: RubricResult }> = [];
    for (const r of rows) {
      for (const result of JSON.parse(r.evals as string) as RubricResult[]) {
        if (items.length >= limit) return { items, truncated: true };
        items.push({ sessionId: r.session_id as string, startedAt: num(r.started_at), result });
      }
    }
    return { items, truncated: false };
  });
}
