import type { Bucket } from '../../../contracts/query-api';
import { validationError } from '../errors';
import { HOUR_MS } from '../model';

/** A query window, hour-aligned: [from, to) in epoch ms. */
export interface Window {
  from: number;
  to: number;
}

export const DAY_MS = 86_400_000;
const MAX_WINDOW_MS = 400 * DAY_MS;
const MAX_BUCKETS = 2000;

const isDate = (s: string): boolean => /^\d{4}-\d{2}-\d{2}$/.test(s);
const floorHour = (ms: number): number => Math.floor(ms / HOUR_MS) * HOUR_MS;
const ceilHour = (ms: number): number => Math.ceil(ms / HOUR_MS) * HOUR_MS;

/**
 * Parses the query API's window. `range` (24h, 3d, 7d, 30d, Nh, Nd) ends at the current hour's end;
 * `from`/`to` take dates (whole UTC days, `to` inclusive) or timestamps. Rollups are hourly, so the
 * window is widened to whole hours. Default: the last 7 days.
 */
export function parseQueryWindow(
  p: { from?: string; to?: string; range?: string },
  now: number,
  defaultRange = '7d',
): Window {
  if (p.range !== undefined && (p.from !== undefined || p.to !== undefined)) {
    throw validationError('range', 'give either range or from/to, not both');
  }
  let from: number;
  let to: number;
  if (p.from === undefined && p.to === undefined) {
    to = ceilHour(now + 1);
    from = to - rangeMs(p.range ?? defaultRange);
  } else {
    to =
      p.to === undefined
        ? ceilHour(now + 1)
        : isDate(p.to)
          ? Date.parse(`${p.to}T00:00:00Z`) + DAY_MS
          : ceilHour(Date.parse(p.to));
    from =
      p.from === undefined
        ? to - rangeMs(defaultRange)
        : floorHour(Date.parse(isDate(p.from) ? `${p.from}T00:00:00Z` : p.from));
  }
  if (!Number.isFinite(from) || !Number.isFinite(to)) throw validationError('from', 'is not a valid time');
  if (!(from < to)) throw validationError('from', 'must be before to');
  if (to - from > MAX_WINDOW_MS) throw validationError('from', 'window must be at most 400 days');
  return { from, to };
}

function rangeMs(range: string): number {
  const m = /^(\d{1,4})([hd])$/.exec(range);
  if (!m) throw validationError('range', 'must be a preset (24h, 3d, 7d, 30d) or like 12h / 90d');
  const n = Number(m[1]);
  if (n < 1) throw validationError('range', 'must be at least 1h');
  return n * (m[2] === 'h' ? HOUR_MS : DAY_MS);
}

/** The period of the same length just before the window. */
export const previousWindow = (w: Window): Window => ({ from: w.from - (w.to - w.from), to: w.from });

/** A bucket that suits the window when none is asked for: hourly up to 2 days, daily up to 60, else weekly. */
export function defaultBucket(w: Window): Bucket {
  const len = w.to - w.from;
  if (len <= 2 * DAY_MS) return '1h';
  if (len <= 60 * DAY_MS) return '1d';
  return '1w';
}

const BUCKET_DAYS: Partial<Record<Bucket, number>> = { '1d': 1, '3d': 3, '1w': 7, '2w': 14 };

/**
 * Splits the window into buckets, clipped to it. `1h` are hours; `1d` UTC days; `3d`, `1w`, `2w` runs of
 * days counted from the UTC midnight that starts the window; `1mo` calendar months (UTC).
 */
export function makeBuckets(w: Window, bucket: Bucket): Window[] {
  const out: Window[] = [];
  const push = (start: number, end: number) => {
    const s = Math.max(start, w.from);
    const e = Math.min(end, w.to);
    if (s < e) out.push({ from: s, to: e });
    if (out.length > MAX_BUCKETS)
      throw validationError('bucket', `gives more than ${MAX_BUCKETS} buckets for this window`);
  };
  if (bucket === '1h') {
    for (let t = w.from; t < w.to; t += HOUR_MS) push(t, t + HOUR_MS);
  } else if (bucket === '1mo') {
    const d = new Date(w.from);
    let start = Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
    while (start < w.to) {
      const s = new Date(start);
      const next = Date.UTC(s.getUTCFullYear(), s.getUTCMonth() + 1, 1);
      push(start, next);
      start = next;
    }
  } else {
    const len = (BUCKET_DAYS[bucket] ?? 1) * DAY_MS;
    for (let t = Math.floor(w.from / DAY_MS) * DAY_MS; t < w.to; t += len) push(t, t + len);
  }
  return out;
}

/** Index of the bucket holding `ms`, or -1 (buckets sorted and contiguous). */
export function bucketIndex(buckets: Window[], ms: number): number {
  let lo = 0;
  let hi = buckets.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const b = buckets[mid]!;
    if (ms < b.from) hi = mid - 1;
    else if (ms >= b.to) lo = mid + 1;
    else return mid;
  }
  return -1;
}

export const iso = (ms: number): string => new Date(ms).toISOString();
export const windowView = (w: Window) => ({ from: iso(w.from), to: iso(w.to) });
