import type { ErrorCategory } from '../../domain/model';
import type { ErrorGroup, ErrorGroupSearch, Page } from '../../domain/ports';
import { decodeCursor, encodeCursor, mapLimit, type VigilTable } from './client';
import {
  cmpStr,
  EVENT_READ_CONCURRENCY,
  type EventFields,
  readSessionEvents,
  sessionsInWindow,
} from './session-search';

/**
 * How far before `from` a session may have started and still have events in [from, to). The table has
 * no agent-wide event index, so error groups read the events of the sessions started in
 * [from - ERROR_SESSION_LOOKBACK_MS, to); an event of a session that started earlier than that is not
 * counted (DuckDB, which filters events directly, would count it).
 */
export const ERROR_SESSION_LOOKBACK_MS = 24 * 3_600_000;

interface Group {
  fingerprint: string;
  count: number;
  weightedCount: number;
  /** Latest occurrence per session. */
  sessions: Map<string, number>;
  firstSeen: number;
  lastSeen: number;
  sample: EventFields;
}

/**
 * EventStore.errorGroups on DynamoDB: the semantics of adapters/duckdb/error-groups.ts, computed in
 * memory. Reads the sessions of the window plus the lookback (gsi1 SA#<agent>, refused above
 * SEARCH_CAP sessions, see session-search.ts), then every one of those sessions' events: one Query of
 * each session partition's event chunks, ≈ one read unit per 4 KB of deflated events,
 * EVENT_READ_CONCURRENCY in flight. Every
 * page repeats the scan; the cursor is (count, fingerprint) of the last group, as in DuckDB.
 */
export async function errorGroups(
  table: VigilTable,
  q: ErrorGroupSearch,
  cursor: string | null,
  limit: number,
): Promise<Page<ErrorGroup>> {
  const after = decodeCursor(cursor, isGroupCursor) as [number, string] | null;
  if (limit <= 0 || !(q.to > q.from)) return { items: [], cursor: null };
  const sessions = await sessionsInWindow(table, q.agentId, q.from - ERROR_SESSION_LOOKBACK_MS, q.to);
  const perSession = await mapLimit(sessions, EVENT_READ_CONCURRENCY, (s) =>
    readSessionEvents(table, s.agentId, s.sessionId),
  );
  const groups = new Map<string, Group>();
  for (const e of perSession.flat()) {
    const fingerprint = e.error?.fingerprint;
    if (typeof fingerprint !== 'string' || !matches(e, q)) continue;
    let g = groups.get(fingerprint);
    if (!g) {
      g = {
        fingerprint,
        count: 0,
        weightedCount: 0,
        sessions: new Map(),
        firstSeen: e.startedAt,
        lastSeen: e.startedAt,
        sample: e,
      };
      groups.set(fingerprint, g);
    }
    g.count++;
    g.weightedCount += e.fold?.weight ?? 1;
    g.sessions.set(e.sessionId, Math.max(g.sessions.get(e.sessionId) ?? e.startedAt, e.startedAt));
    g.firstSeen = Math.min(g.firstSeen, e.startedAt);
    g.lastSeen = Math.max(g.lastSeen, e.startedAt);
    if (
      e.startedAt > g.sample.startedAt ||
      (e.startedAt === g.sample.startedAt && cmpStr(e.eventId, g.sample.eventId) > 0)
    ) {
      g.sample = e;
    }
  }
  const ordered = [...groups.values()]
    .filter((g) => !after || g.count < after[0] || (g.count === after[0] && g.fingerprint > after[1]))
    .sort((a, b) => b.count - a.count || cmpStr(a.fingerprint, b.fingerprint));
  const items = ordered.slice(0, limit).map(toErrorGroup);
  const last = items[items.length - 1];
  return {
    items,
    cursor: ordered.length > limit && last ? encodeCursor([last.count, last.fingerprint]) : null,
  };
}

/** DuckDB's WHERE clauses on the events table. */
function matches(e: EventFields, q: ErrorGroupSearch): boolean {
  if (e.startedAt < q.from || e.startedAt >= q.to) return false;
  if (q.production !== null && (e.fold?.production ?? null) !== q.production) return false;
  if (q.model !== null && e.model !== q.model) return false;
  if (q.eventType !== null && e.type !== q.eventType) return false;
  if (q.errorCategory !== null && (e.error?.category ?? null) !== q.errorCategory) return false;
  if (q.sessionSlice !== null && !(e.fold?.sessionSlices ?? []).includes(q.sessionSlice)) return false;
  return true;
}

function toErrorGroup(g: Group): ErrorGroup {
  const error = g.sample.error;
  return {
    fingerprint: g.fingerprint,
    category: (error?.category ?? 'unknown') as ErrorCategory,
    type: error?.type ?? null,
    message: error?.message ?? '',
    stack: error?.stack ?? null,
    count: g.count,
    weightedCount: g.weightedCount,
    sessions: g.sessions.size,
    firstSeen: g.firstSeen,
    lastSeen: g.lastSeen,
    // Most recent occurrence first, as the port documents.
    sampleSessionIds: [...g.sessions]
      .sort((a, b) => b[1] - a[1] || cmpStr(a[0], b[0]))
      .slice(0, 5)
      .map(([id]) => id),
    sampleEventId: g.sample.eventId,
  };
}

const isGroupCursor = (v: unknown): boolean =>
  Array.isArray(v) && v.length === 2 && typeof v[0] === 'number' && typeof v[1] === 'string';
