import { validationError } from '../../domain/errors';
import { type RubricResult, type Session, sessionDurationMs } from '../../domain/model';
import type { Page, SessionSearch, StoredEvent } from '../../domain/ports';
import { decodeCursor, Expr, encodeCursor, mapLimit, type VigilTable } from './client';
import { readChunkItems } from './event-chunks';
import { chunkToEvents, type Item, itemToSession, str } from './items';
import { encTimeBound, indexKeys } from './table';

/**
 * SessionStore.search / listEvals on DynamoDB, with the semantics of the DuckDB version
 * (adapters/duckdb/session-search.ts), computed in memory because the table has no index per filter.
 *
 * How a call reads (and what it costs):
 * 1. the agent's gsi1 partition SA#<agent> over [from, to): KEYS_ONLY entries, ~100 bytes each, so
 *    about 40 sessions per read unit; at most SEARCH_CAP (+ one page) entries are read, and a window
 *    holding more than SEARCH_CAP sessions is refused (validation error on `start_date`);
 * 2. one strongly consistent BatchGetItem per 100 sessions: a read unit per session (4 KB);
 * 3. only when a model / event type / error category / fingerprint filter is given, and only for the
 *    sessions that passed the other filters: one Query of the session's own partition (its event
 *    chunks), stopping at the first 1 MB page that holds a match. Cost: the size of the chunks read
 *    (≈ one read unit per 4 KB of deflated events), up to EVENT_READ_CONCURRENCY queries in flight.
 * Every page re-runs 1–3 and sorts in memory (the cursor is the sort value and session id), so a call
 * costs the same whatever the page; the cap keeps the worst case bounded (~10k read units + events).
 */

/** Most sessions a search, an eval listing or an error grouping will materialise from one window. */
export const SEARCH_CAP = 10_000;

/** Session partitions read at once when filters need events. */
export const EVENT_READ_CONCURRENCY = 16;

/** Sessions of an agent that started in [from, to), newest first; refuses windows above the cap. */
export async function sessionsInWindow(
  table: VigilTable,
  agentId: string,
  from: number,
  to: number,
): Promise<Session[]> {
  if (!(to > from)) return [];
  const expr = new Expr();
  const { items: refs } = await table.query(
    {
      IndexName: 'gsi1',
      KeyConditionExpression: `${expr.name('gsi1pk')} = ${expr.value(str(indexKeys.sessionsOf(agentId)))} AND ${expr.name('gsi1sk')} BETWEEN ${expr.value(str(encTimeBound(from)))} AND ${expr.value(str(encTimeBound(to)))}`,
      ScanIndexForward: false,
      ...expr.maps(),
    },
    (found) => found.length > SEARCH_CAP,
  );
  if (refs.length > SEARCH_CAP) {
    throw validationError(
      'start_date',
      `the window holds more than ${SEARCH_CAP} sessions; choose a later start_date (or an earlier end_date) to narrow it`,
    );
  }
  const items = await table.batchGet(refs.map((r) => ({ pk: r.pk!.S!, sk: r.sk!.S! })));
  return items
    .map(itemToSession)
    .filter((s) => s.startedAt >= from && s.startedAt < to)
    .sort((a, b) => b.startedAt - a.startedAt || cmpStr(b.sessionId, a.sessionId));
}

/** The fields of a stored event the search and error-group filters read (payloads are left out). */
export interface EventFields {
  eventId: string;
  sessionId: string;
  startedAt: number;
  type: string;
  model: string | null;
  error: {
    category?: string;
    fingerprint?: string;
    type?: string | null;
    message?: string;
    stack?: string | null;
  } | null;
  fold: { production?: boolean; weight?: number; sessionSlices?: string[] } | null;
}

/**
 * Reads a session's events (Query on its own partition, sk C#…, consistent: see event-chunks.ts), page
 * by page until `stop` says enough. Costs the size of the chunks read (each chunk is one deflated
 * Binary, inflated here).
 */
export async function readSessionEvents(
  table: VigilTable,
  agentId: string,
  sessionId: string,
  stop?: (events: EventFields[]) => boolean,
): Promise<EventFields[]> {
  const toFields = (items: Item[]) => items.flatMap(chunkToEvents).map(toEventFields);
  const items = await readChunkItems(table, agentId, sessionId, {
    stop: stop && ((found) => stop(toFields(found))),
  });
  return toFields(items);
}

const toEventFields = (e: StoredEvent): EventFields => ({
  eventId: e.eventId,
  sessionId: e.sessionId,
  startedAt: e.startedAt,
  type: e.type,
  model: e.model,
  error: e.error as EventFields['error'],
  fold: e.fold,
});

/** Sessions matching every filter of `q` (any order). */
async function matchingSessions(table: VigilTable, q: SessionSearch): Promise<Session[]> {
  const sessions = (await sessionsInWindow(table, q.agentId, q.from, q.to)).filter((s) =>
    matchesSessionFields(s, q),
  );
  const eventFilters: Array<(e: EventFields) => boolean> = [];
  if (q.model !== null) eventFilters.push((e) => e.model === q.model);
  if (q.eventType !== null) eventFilters.push((e) => e.type === q.eventType);
  if (q.errorCategory !== null) eventFilters.push((e) => (e.error?.category ?? null) === q.errorCategory);
  if (q.fingerprint !== null) eventFilters.push((e) => (e.error?.fingerprint ?? null) === q.fingerprint);
  if (eventFilters.length === 0) return sessions;
  // Each filter needs *an* event (not necessarily the same one), as the DuckDB EXISTS clauses.
  const keep = await mapLimit(sessions, EVENT_READ_CONCURRENCY, async (s) => {
    const found = eventFilters.map(() => false);
    const satisfied = (events: EventFields[]) => {
      for (const e of events) {
        for (const [i, f] of eventFilters.entries()) found[i] ||= f(e);
      }
      return found.every(Boolean);
    };
    const events = await readSessionEvents(table, s.agentId, s.sessionId, satisfied);
    return satisfied(events);
  });
  return sessions.filter((_, i) => keep[i]);
}

/** The filters on the session's own fields (DuckDB: the WHERE clauses on the session document). */
function matchesSessionFields(s: Session, q: SessionSearch): boolean {
  if (q.production !== null && s.production !== q.production) return false;
  if (q.status !== null && s.status !== q.status) return false;
  if (q.experimentId !== null && s.experimentId !== q.experimentId) return false;
  if (q.hasError !== null && s.totals.errors > 0 !== q.hasError) return false;
  if (q.minCostUsd !== null && !(s.totals.costUsd >= q.minCostUsd)) return false;
  for (const t of q.tags) {
    const forms = [`${t.key}:${t.value}`, `${t.key}=${t.value}`, ...(t.key === 'tag' ? [t.value] : [])];
    if (!forms.some((f) => s.tags.includes(f))) return false;
  }
  return true;
}

/** The sort value of a session (DuckDB SORT_SQL). */
export function sortValue(s: Session, sort: SessionSearch['sort']): number {
  switch (sort) {
    case 'started_at':
      return s.startedAt;
    case 'cost':
      return s.totals.costUsd;
    case 'duration':
      return sessionDurationMs(s) ?? -1;
    case 'errors':
      return s.totals.errors;
    case 'tokens':
      return s.totals.inputTokens + s.totals.outputTokens;
    case 'events':
      return s.totals.events;
  }
}

/** SessionStore.search: materialises the window (≤ SEARCH_CAP), sorts, pages after the cursor. */
export async function searchSessions(
  table: VigilTable,
  q: SessionSearch,
  cursor: string | null,
  limit: number,
): Promise<Page<Session>> {
  const after = decodeCursor(cursor, isSearchCursor) as [number, string] | null;
  if (limit <= 0) return { items: [], cursor: null };
  const sign = q.order === 'desc' ? -1 : 1;
  const rows = (await matchingSessions(table, q))
    .map((s) => ({ s, v: sortValue(s, q.sort) }))
    .filter(({ s, v }) => !after || sign * (v - after[0] || cmpStr(s.sessionId, after[1])) > 0)
    .sort((a, b) => sign * (a.v - b.v || cmpStr(a.s.sessionId, b.s.sessionId)));
  const page = rows.slice(0, limit);
  const last = page[page.length - 1];
  return {
    items: page.map((r) => r.s),
    cursor: rows.length > limit && last ? encodeCursor([last.v, last.s.sessionId]) : null,
  };
}

/** SessionStore.listEvals: rubric results of the matching sessions, most recent session first. */
export async function listSessionEvals(
  table: VigilTable,
  q: SessionSearch,
  limit: number,
): Promise<{
  items: Array<{ sessionId: string; startedAt: number; result: RubricResult }>;
  truncated: boolean;
}> {
  const sessions = (await matchingSessions(table, q)).sort(
    (a, b) => b.startedAt - a.startedAt || cmpStr(b.sessionId, a.sessionId),
  );
  const items: Array<{ sessionId: string; startedAt: number; result: RubricResult }> = [];
  for (const s of sessions) {
    for (const result of s.evals) {
      if (items.length >= limit) return { items, truncated: true };
      items.push({ sessionId: s.sessionId, startedAt: s.startedAt, result });
    }
  }
  return { items, truncated: false };
}

/** Code-unit order, as DuckDB's VARCHAR comparison for the ids Vigil stores. */
export const cmpStr = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

const isSearchCursor = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';
