/** Pure geometry for the hand-written SVG charts: scales, ticks and paths. No DOM, unit-tested. */

export type LinearScale = (v: number) => number;

/** Maps [d0, d1] onto [r0, r1]; a zero-width domain maps to the middle of the range. */
export function linearScale(d0: number, d1: number, r0: number, r1: number): LinearScale {
  if (d1 === d0) return () => (r0 + r1) / 2;
  const k = (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}

/** A "nice" step (1, 2, 2.5 or 5 × 10^k) so that about `count` steps cover `span`. */
export function niceStep(span: number, count: number): number {
  if (!(span > 0) || !(count > 0)) return 1;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const unit = raw / power;
  const nice = unit <= 1 ? 1 : unit <= 2 ? 2 : unit <= 2.5 ? 2.5 : unit <= 5 ? 5 : 10;
  return nice * power;
}

/**
 * Ticks from 0 (or the negative minimum) to a nice maximum that covers `max`. Returns the ticks and the
 * domain top, so bars never touch the frame.
 */
export function niceTicks(
  min: number,
  max: number,
  count = 4,
): { ticks: number[]; top: number; bottom: number } {
  const lo = Math.min(0, Number.isFinite(min) ? min : 0);
  const hi = Number.isFinite(max) && max > lo ? max : lo + 1;
  const step = niceStep(hi - lo, count);
  const bottom = Math.floor(lo / step) * step;
  const top = Math.ceil(hi / step) * step;
  const ticks: number[] = [];
  for (let v = bottom; v <= top + step / 2; v += step) ticks.push(Math.round(v / step) * step);
  return { ticks, top, bottom };
}

export interface Point {
  x: number;
  y: number;
}

/** An SVG path through the points; a null breaks the line, so gaps in data stay gaps. */
export function linePath(points: ReadonlyArray<Point | null>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (p === null) {
      pen = false;
      continue;
    }
    d += `${pen ? 'L' : 'M'}${round(p.x)},${round(p.y)}`;
    pen = true;
  }
  return d;
}

/** Indexes of at most `max` evenly spread labels (always the first; the last when it fits). */
export function labelIndexes(n: number, max: number): number[] {
  if (n <= 0) return [];
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  const step = Math.ceil(n / max);
  const out: number[] = [];
  for (let i = 0; i < n; i += step) out.push(i);
  return out;
}

export const round = (v: number): number => Math.round(v * 10) / 10;
