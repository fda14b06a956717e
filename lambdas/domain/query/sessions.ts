import { gunzipSync } from 'node:zlib';
import type {
  ErrorGroupsResponse,
  SessionDetailResponse,
  SessionListResponse,
  SessionSort,
  SessionSummary,
  TopSessionsResponse,
} from '../../../contracts/query-api';
import { DomainError } from '../errors';
import type { BlobStore, EventStore, RollupStore, SessionSearch, SessionStore, StoredEvent } from '../ports';
import { tagSlice } from '../rollup';
import { Sketch } from '../sketch';
import { toCsv } from './csv';
import { round } from './figures';
import type { QueryFilter, SliceChoice } from './filters';
import { readerFor } from './reader';
import { eventDetail, nestEvents, sessionHeader, sessionSummary } from './views';
import { iso, type Window, windowView } from './window';

export interface SessionListOptions {
  status?: 'running' | 'finished';
  hasError?: boolean;
  fingerprint?: string;
  minCostUsd?: number;
  sort: SessionSort;
  order: 'asc' | 'desc';
}

export function toSessionSearch(
  agentId: string,
  w: Window,
  f: QueryFilter,
  o: SessionListOptions,
): SessionSearch {
  return {
    agentId,
    from: w.from,
    to: w.to,
    production: f.production,
    tags: f.tags,
    experimentId: f.experiment,
    model: f.model,
    eventType: f.eventType,
    errorCategory: f.errorType,
    fingerprint: o.fingerprint ?? null,
    status: o.status ?? null,
    hasError: o.hasError ?? null,
    minCostUsd: o.minCostUsd ?? null,
    sort: o.sort,
    order: o.order,
  };
}

function searchable(sessions: SessionStore): Required<Pick<SessionStore, 'search'>> {
  const search = sessions.search?.bind(sessions);
  if (!search)
    throw new DomainError('unavailable', "this deployment's session store cannot search sessions yet");
  return { search };
}

/** Sessions started in the window matching every filter, sorted, one page. */
export async function listSessions(
  sessions: SessionStore,
  q: SessionSearch,
  cursor: string | null,
  limit: number,
): Promise<SessionListResponse> {
  const page = await searchable(sessions).search(q, cursor, limit);
  return {
    agent_id: q.agentId,
    window: windowView(q),
    sessions: page.items.map(sessionSummary),
    cursor: page.cursor,
  };
}

/**
 * The most expensive (or longest) sessions, each marked against the window's p99 from rollups: the
 * outliers. The p99 comes from the filter's slice: null under event-level or combined filters.
 */
export async function topSessions(
  deps: { sessions: SessionStore; rollups: RollupStore },
  q: SessionSearch,
  sessionSlice: SliceChoice | null,
  by: 'cost' | 'duration',
  limit: number,
): Promise<TopSessionsResponse> {
  const sketch = by === 'cost' ? 'sessionCost' : 'sessionDuration';
  const [page, merged] = await Promise.all([
    searchable(deps.sessions).search({ ...q, sort: by, order: 'desc' }, null, limit),
    sessionSlice?.level === 'session'
      ? readerFor(deps.rollups).buckets(q.agentId, q.production, sessionSlice.slice, [q], [sketch])
      : Promise.resolve([]),
  ]);
  const p99 = round(new Sketch(merged[0]?.sketches[sketch] ?? {}).quantile(0.99), by === 'cost' ? 6 : 1);
  return {
    agent_id: q.agentId,
    window: windowView(q),
    by,
    p99,
    sessions: page.items.map((s) => {
      const v = sessionSummary(s);
      const figure = by === 'cost' ? v.cost_usd : v.duration_ms;
      return { ...v, above_p99: p99 !== null && figure !== null && figure > p99 };
    }),
  };
}

/** Error groups by fingerprint. Session-level filters (tag, experiment) match the slices events were folded under. */
export async function errorGroups(
  events: EventStore,
  agentId: string,
  w: Window,
  f: QueryFilter,
  cursor: string | null,
  limit: number,
): Promise<ErrorGroupsResponse> {
  if (!events.errorGroups)
    throw new DomainError('unavailable', "this deployment's event store cannot group errors yet");
  if (f.tags.length + (f.experiment ? 1 : 0) > 1) {
    throw new DomainError('validation', 'tag: error groups take one tag or one experiment filter', {
      field: 'tag',
    });
  }
  const t = f.tags[0];
  const page = await events.errorGroups(
    {
      agentId,
      from: w.from,
      to: w.to,
      production: f.production,
      sessionSlice: t ? tagSlice(t.key, t.value) : f.experiment ? `exp:${f.experiment}` : null,
      model: f.model,
      eventType: f.eventType,
      errorCategory: f.errorType,
    },
    cursor,
    limit,
  );
  return {
    agent_id: agentId,
    window: windowView(w),
    groups: page.items.map((g) => ({
      fingerprint: g.fingerprint,
      category: g.category,
      type: g.type,
      message: g.message,
      stack: g.stack,
      count: g.count,
      estimated_count: round(g.weightedCount, 3) ?? 0,
      sessions: g.sessions,
      first_seen: iso(g.firstSeen),
      last_seen: iso(g.lastSeen),
      sample_session_ids: g.sampleSessionIds,
      sample_event_id: g.sampleEventId,
    })),
    cursor: page.cursor,
  };
}

export const MAX_EVENTS_PER_SESSION = 10_000;

/** A session's events in time order with payloads resolved from the blob store (a missing blob is "pending"). */
export async function loadSessionEvents(
  deps: { events: EventStore; blobs: BlobStore },
  agentId: string,
  sessionId: string,
): Promise<{
  events: Array<{ event: StoredEvent; payload: unknown; pending: boolean }>;
  truncated: boolean;
}> {
  const stored: StoredEvent[] = [];
  let cursor: string | null = null;
  do {
    const page = await deps.events.listBySession(agentId, sessionId, cursor, 500);
    stored.push(...page.items);
    cursor = page.cursor;
  } while (cursor && stored.length < MAX_EVENTS_PER_SESSION);
  const events = await Promise.all(
    stored.map(async (e) => {
      if (!e.payloadRef) return { event: e, payload: e.payload, pending: false };
      const blob = await deps.blobs.get(e.payloadRef);
      return blob
        ? { event: e, payload: parseBlob(blob), pending: false }
        : { event: e, payload: e.payload, pending: true };
    }),
  );
  return { events, truncated: cursor !== null };
}

export function parseBlob(bytes: Uint8Array): unknown {
  let buf = Buffer.from(bytes);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return buf.toString('utf8');
  }
}

/** One session in full: header, events nested depth-first, per-model LLM totals, ids for the deep-dive tabs. */
export async function sessionDetail(
  deps: { sessions: SessionStore; events: EventStore; blobs: BlobStore },
  agentId: string,
  sessionId: string,
): Promise<SessionDetailResponse> {
  const session = await deps.sessions.get(agentId, sessionId);
  if (!session) throw new DomainError('not-found', `session ${sessionId} not found for agent ${agentId}`);
  const { events, truncated } = await loadSessionEvents(deps, agentId, sessionId);
  const byId = new Map(events.map((e) => [e.event.eventId, e]));
  const nested = nestEvents(events.map((e) => e.event));
  const models = new Map<
    string,
    { llm_calls: number; input_tokens: number; output_tokens: number; cost_usd: number }
  >();
  for (const { event: e } of events) {
    if (e.type !== 'llm') continue;
    const key = e.model ?? '(unknown)';
    const m = models.get(key) ?? { llm_calls: 0, input_tokens: 0, output_tokens: 0, cost_usd: 0 };
    m.llm_calls += 1;
    m.input_tokens += e.usage?.inputTokens ?? 0;
    m.output_tokens += e.usage?.outputTokens ?? 0;
    m.cost_usd = Math.round((m.cost_usd + (e.cost?.usd ?? 0)) * 1e9) / 1e9;
    models.set(key, m);
  }
  return {
    session: sessionHeader(session),
    events: nested.map(({ event, depth, children }) => {
      const loaded = byId.get(event.eventId)!;
      return eventDetail(event, loaded.payload, loaded.pending, depth, children);
    }),
    models: [...models].map(([model, m]) => ({ model, ...m })).sort((a, b) => b.cost_usd - a.cost_usd),
    llm_call_ids: nested.filter((n) => n.event.type === 'llm').map((n) => n.event.eventId),
    tool_call_ids: nested.filter((n) => n.event.type === 'tool').map((n) => n.event.eventId),
    error_ids: nested.filter((n) => n.event.error !== null).map((n) => n.event.eventId),
    truncated,
  };
}

export const SESSION_CSV_COLUMNS = [
  'session_id',
  'name',
  'started_at',
  'ended_at',
  'status',
  'production',
  'tags',
  'experiment_id',
  'duration_ms',
  'cost_usd',
  'events',
  'llm_calls',
  'errors',
  'tokens',
  'is_successful',
  'session_eval',
] as const;

export function sessionsCsv(rows: SessionSummary[]): string {
  return toCsv(
    SESSION_CSV_COLUMNS,
    rows.map((r) => ({ ...r, tags: r.tags.join(';') })),
  );
}

export const EVENT_CSV_COLUMNS = [
  'event_id',
  'parent_event_id',
  'depth',
  'type',
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
  'error_category',
  'error_type',
  'error_message',
] as const;

export function sessionEventsCsv(detail: SessionDetailResponse): string {
  return toCsv(
    EVENT_CSV_COLUMNS,
    detail.events.map((e) => ({
      event_id: e.event_id,
      parent_event_id: e.parent_event_id,
      depth: e.depth,
      type: e.type,
      name: e.name,
      started_at: e.started_at,
      duration_ms: e.duration_ms,
      model: e.model,
      provider: e.provider,
      input_tokens: e.usage?.input_tokens,
      output_tokens: e.usage?.output_tokens,
      cached_input_tokens: e.usage?.cached_input_tokens,
      reasoning_tokens: e.usage?.reasoning_tokens,
      cost_usd: e.cost?.usd,
      error_category: e.error?.category,
      error_type: e.error?.type,
      error_message: e.error?.message,
    })),
  );
}

/** Every matching session (up to `limit`), read page by page. */
export async function exportSessions(
  sessions: SessionStore,
  q: SessionSearch,
  limit: number,
): Promise<{ rows: SessionSummary[]; truncated: boolean }> {
  const { search } = searchable(sessions);
  const rows: SessionSummary[] = [];
  let cursor: string | null = null;
  do {
    const page = await search(q, cursor, Math.min(500, limit - rows.length));
    rows.push(...page.items.map(sessionSummary));
    cursor = page.cursor;
  } while (cursor && rows.length < limit);
  return { rows, truncated: cursor !== null };
}
