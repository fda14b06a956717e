import { HOUR_MS } from '../model';

/**
 * Hour-of-week profiles, in UTC: index 0 is Monday 00:00–01:00, 167 is Sunday 23:00–24:00. A profile
 * compares like with like (a Sunday night with other Sunday nights), so a quiet night is not an anomaly.
 */
export const HOURS_PER_WEEK = 168;

/** Epoch hour 0 (1970-01-01 00:00 UTC) was a Thursday: Monday-based day 3. */
export const hourOfWeek = (epochHour: number): number =>
  (((epochHour + 72) % HOURS_PER_WEEK) + HOURS_PER_WEEK) % HOURS_PER_WEEK;

export const hourOfDay = (how: number): number => how % 24;

/** Saturday and Sunday (UTC) are "weekend"; the rest "weekday". */
export const isWeekend = (how: number): boolean => how >= 5 * 24;

/** Circular distance between two hours of the week. */
export function weekDistance(a: number, b: number): number {
  const d = Math.abs(a - b) % HOURS_PER_WEEK;
  return Math.min(d, HOURS_PER_WEEK - d);
}

/** Circular distance between two hours of the day. */
export function dayDistance(a: number, b: number): number {
  const d = Math.abs(hourOfDay(a) - hourOfDay(b)) % 24;
  return Math.min(d, 24 - d);
}

/** "YYYY-MM-DD" (UTC) of a time. */
export const utcDate = (ms: number): string => new Date(ms).toISOString().slice(0, 10);

export const hourStartMs = (epochHour: number): number => epochHour * HOUR_MS;
