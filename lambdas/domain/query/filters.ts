import type { FilterView } from '../../../contracts/query-api';
import { validationError } from '../errors';
import type { ErrorCategory, EventType } from '../model';
import { parseTag, tagSlice } from '../rollup';

/** Filters as the query API takes them (any combination; aggregates accept one slice dimension). */
export interface QueryFilter {
  /** null = production and non-production traffic together. */
  production: boolean | null;
  tags: Array<{ key: string; value: string }>;
  model: string | null;
  eventType: EventType | null;
  errorType: ErrorCategory | null;
  experiment: string | null;
}

export interface SliceChoice {
  slice: string;
  /** session: the slice holds session counts and per-session sketches; event: event figures only. */
  level: 'session' | 'event';
  production: boolean | null;
}

export interface RawFilterParams {
  production?: 'true' | 'false' | 'all';
  tag?: string | string[];
  model?: string;
  event_type?: EventType;
  error_type?: ErrorCategory;
  experiment?: string;
}

/** Production defaults to true, like the seed metrics API. */
export function parseProduction(v: 'true' | 'false' | 'all' | undefined): boolean | null {
  return v === undefined || v === 'true' ? true : v === 'false' ? false : null;
}

export function toFilter(p: RawFilterParams): QueryFilter {
  const tags = (p.tag === undefined ? [] : Array.isArray(p.tag) ? p.tag : [p.tag]).map(parseTag);
  return {
    production: parseProduction(p.production),
    tags,
    model: p.model ?? null,
    eventType: p.event_type ?? null,
    errorType: p.error_type ?? null,
    experiment: p.experiment ?? null,
  };
}

/** The filter's dimensions, as [query-string field, rollup slice, level]. */
function dimensions(f: QueryFilter): Array<[string, string, SliceChoice['level']]> {
  const out: Array<[string, string, SliceChoice['level']]> = [];
  for (const t of f.tags) out.push(['tag', tagSlice(t.key, t.value), 'session']);
  if (f.experiment) out.push(['experiment', `exp:${f.experiment}`, 'session']);
  if (f.model) out.push(['model', `model:${f.model}`, 'event']);
  if (f.eventType) out.push(['event_type', `type:${f.eventType}`, 'event']);
  if (f.errorType) out.push(['error_type', `err:${f.errorType}`, 'event']);
  return out;
}

export const hasSliceFilter = (f: QueryFilter): boolean => dimensions(f).length > 0;

/**
 * Maps a filter onto the one rollup slice that answers it. Rollups keep one dimension per slice (all,
 * tag, experiment, model, event type, error type; each split by production), so two dimensions at once
 * cannot be merged from them: that is a 400 naming the second field, pointing at the session list,
 * which answers any combination from the session store.
 */
export function sliceFor(f: QueryFilter): SliceChoice {
  const dims = dimensions(f);
  if (dims.length > 1) {
    const [first, second] = [dims[0]!, dims[1]!];
    throw validationError(
      second[0],
      `cannot be combined with ${first[0]} in aggregates: rollups hold one filter dimension at a time ` +
        '(use one of tag, model, event_type, error_type, experiment; the session list takes any combination)',
    );
  }
  const d = dims[0];
  return d
    ? { slice: d[1], level: d[2], production: f.production }
    : { slice: 'all', level: 'session', production: f.production };
}

/** The slice answering the filter, or null when no single slice does (several dimensions). */
export function sliceIfAny(f: QueryFilter): SliceChoice | null {
  return dimensions(f).length > 1 ? null : sliceFor(f);
}

/** Rejects a slice filter where an endpoint breaks down by another dimension. */
export function requireNoSliceFilter(f: QueryFilter, why: string): void {
  const d = dimensions(f)[0];
  if (d) throw validationError(d[0], `cannot be used here: ${why}`);
}

export const filterView = (c: SliceChoice): FilterView => ({
  slice: c.slice,
  level: c.level,
  production: c.production ?? 'all',
});
