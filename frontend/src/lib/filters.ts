import type { Bucket } from '../../../contracts/query-api';
import { formatDay } from './format';

/**
 * The filter bar's state, kept in the URL: a window (preset range or custom dates), one slice (a tag
 * or a model: aggregates are read from rollups that hold one filter dimension at a time) and the
 * production flag.
 */

export const RANGE_PRESETS = ['24h', '3d', '7d', '30d'] as const;
export const RANGE_LABELS: Record<string, string> = {
  '24h': 'Last 24h',
  '3d': 'Last 3d',
  '7d': 'Last 7d',
  '30d': 'Last 30d',
};
export const DEFAULT_RANGE = '7d';

export type Production = 'true' | 'false' | 'all';
export const PRODUCTION_LABELS: Record<Production, string> = {
  true: 'Production',
  false: 'Experiments & tests',
  all: 'All traffic',
};

export interface Filters {
  /** A preset or Nh/Nd; null when a custom from/to is set. */
  range: string | null;
  from: string | null;
  to: string | null;
  /** key:value */
  tag: string | null;
  model: string | null;
  production: Production;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const RANGE = /^\d{1,4}[hd]$/;
const TAG = /^[^:=,]{1,64}[:=][^,]+$/;
const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** Reads the filters from a query string, ignoring malformed values rather than failing. */
export function parseFilters(search: string | URLSearchParams): Filters {
  const sp = typeof search === 'string' ? new URLSearchParams(search) : search;
  const fromRaw = sp.get('from');
  const toRaw = sp.get('to');
  const from = fromRaw && DATE.test(fromRaw) ? fromRaw : null;
  let to = toRaw && DATE.test(toRaw) ? toRaw : null;
  if (from && to && to < from) to = null;
  const rangeRaw = sp.get('range');
  const range = from || to ? null : rangeRaw && RANGE.test(rangeRaw) ? rangeRaw : DEFAULT_RANGE;
  const tagRaw = sp.get('tag');
  const tag = tagRaw && TAG.test(tagRaw) ? tagRaw : null;
  const modelRaw = sp.get('model');
  const model = !tag && modelRaw ? modelRaw.slice(0, 256) : null;
  const p = sp.get('production');
  const production: Production = p === 'false' || p === 'all' ? p : 'true';
  return { range, from, to, tag, model, production };
}

/** The URL parameters for filters (defaults left out so URLs stay short). */
export function filtersToParams(f: Filters): Record<string, string | null> {
  return {
    range: f.range && f.range !== DEFAULT_RANGE ? f.range : null,
    from: f.from,
    to: f.to,
    tag: f.tag,
    model: f.model,
    production: f.production === 'true' ? null : f.production,
  };
}

export interface WindowParams {
  range?: string;
  from?: string;
  to?: string;
}

export function windowParams(f: Filters): WindowParams {
  if (f.from || f.to) return { ...(f.from ? { from: f.from } : {}), ...(f.to ? { to: f.to } : {}) };
  return { range: f.range ?? DEFAULT_RANGE };
}

/** Parameters for aggregate endpoints (overview, series, percentiles, …). */
export function aggregateParams(f: Filters): WindowParams & {
  production?: Production;
  tag?: string;
  model?: string;
} {
  return {
    ...windowParams(f),
    ...(f.production !== 'true' ? { production: f.production } : {}),
    ...(f.tag ? { tag: f.tag } : {}),
    ...(f.model ? { model: f.model } : {}),
  };
}

/** A stable string for cache keys. */
export function filtersKey(f: Filters): string {
  return [f.range, f.from, f.to, f.tag, f.model, f.production].map((v) => v ?? '').join('|');
}

function rangeMs(range: string): number {
  const n = Number(range.slice(0, -1));
  return n * (range.endsWith('h') ? HOUR_MS : DAY_MS);
}

/** The window's length, as the API will compute it (custom dates are whole UTC days, `to` inclusive). */
export function windowLengthMs(f: Filters, now: number): number {
  if (f.from || f.to) {
    const to = f.to ? Date.parse(`${f.to}T00:00:00Z`) + DAY_MS : Math.ceil(now / HOUR_MS) * HOUR_MS;
    const from = f.from ? Date.parse(`${f.from}T00:00:00Z`) : to - 7 * DAY_MS;
    return Math.max(HOUR_MS, to - from);
  }
  return rangeMs(f.range ?? DEFAULT_RANGE);
}

/** A bucket for trend charts: hourly up to 3 days, daily up to 90 days, weekly beyond. */
export function trendBucket(f: Filters, now: number): Bucket {
  const len = windowLengthMs(f, now);
  if (len <= 3 * DAY_MS) return '1h';
  if (len <= 90 * DAY_MS) return '1d';
  return '1w';
}

export function describeWindow(f: Filters): string {
  if (f.from || f.to) {
    const from = f.from ? formatDay(`${f.from}T00:00:00Z`) : '…';
    const to = f.to ? formatDay(`${f.to}T00:00:00Z`) : 'now';
    return `${from} – ${to}`;
  }
  const r = f.range ?? DEFAULT_RANGE;
  return RANGE_LABELS[r] ?? `Last ${r}`;
}

/** "tier:pro" or "model gpt-4o" or null. */
export function describeSlice(f: Filters): string | null {
  if (f.tag) return f.tag;
  if (f.model) return `model ${f.model}`;
  return null;
}

/** YYYY-MM-DD of a time (UTC). */
export const isoDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);
