import type { SessionSummary } from '../../../../../contracts/query-api';
import type { SessionListParams } from '../../../lib/api-client';
import { aggregateParams, type Filters } from '../../../lib/filters';
import { formatCount, formatMs, formatNumber, formatTime, formatUsd } from '../../../lib/format';

export const SORTS = ['started_at', 'cost', 'duration', 'errors', 'tokens', 'events'] as const;
export type Sort = (typeof SORTS)[number];
export const SORT_LABELS: Record<Sort, string> = {
  started_at: 'Newest',
  cost: 'Cost',
  duration: 'Duration',
  errors: 'Errors',
  tokens: 'Tokens',
  events: 'Events',
};

export interface ListState {
  sort: Sort;
  order: 'asc' | 'desc';
  hasError: 'true' | 'false' | null;
  status: 'running' | 'finished' | null;
  fingerprint: string | null;
  minCost: number | null;
}

export function parseListState(sp: URLSearchParams): ListState {
  const sort = sp.get('sort');
  const he = sp.get('has_error');
  const st = sp.get('status');
  const mc = Number(sp.get('min_cost'));
  return {
    sort: (SORTS as readonly string[]).includes(sort ?? '') ? (sort as Sort) : 'started_at',
    order: sp.get('order') === 'asc' ? 'asc' : 'desc',
    hasError: he === 'true' || he === 'false' ? he : null,
    status: st === 'running' || st === 'finished' ? st : null,
    fingerprint: sp.get('fingerprint'),
    minCost: sp.get('min_cost') !== null && Number.isFinite(mc) && mc >= 0 ? mc : null,
  };
}

/** The session list request: the filter bar (any tag and model together) plus the list's own filters. */
export function listParams(f: Filters, s: ListState): Omit<SessionListParams, 'cursor' | 'limit'> {
  return {
    ...aggregateParams(f),
    sort: s.sort,
    order: s.order,
    ...(s.hasError ? { has_error: s.hasError } : {}),
    ...(s.status ? { status: s.status } : {}),
    ...(s.fingerprint ? { fingerprint: s.fingerprint } : {}),
    ...(s.minCost !== null ? { min_cost: s.minCost } : {}),
  };
}

export interface SessionRow {
  sessionId: string;
  name: string;
  started: string;
  status: SessionSummary['status'];
  outcome: 'success' | 'failure' | 'unknown';
  duration: string;
  cost: string;
  tokens: string;
  llmCalls: string;
  errors: number;
  eval: string;
  tags: string[];
  experiment: string | null;
}

export function prepareSessionRows(sessions: readonly SessionSummary[]): SessionRow[] {
  return sessions.map((s) => ({
    sessionId: s.session_id,
    name: s.name ?? s.session_id,
    started: formatTime(s.started_at),
    status: s.status,
    outcome: s.is_successful === null ? 'unknown' : s.is_successful ? 'success' : 'failure',
    duration: s.status === 'running' && s.duration_ms === null ? 'running' : formatMs(s.duration_ms),
    cost: formatUsd(s.cost_usd),
    tokens: formatCount(s.tokens),
    llmCalls: formatCount(s.llm_calls),
    errors: s.errors,
    eval: s.session_eval === null ? '—' : formatNumber(s.session_eval, 2),
    tags: s.tags,
    experiment: s.experiment_id,
  }));
}
