/**
 * A DDSketch (Masson, Rim & Lee, VLDB 2019) over non-negative values with weighted counts.
 *
 * Bins are log-spaced with ratio gamma = (1 + a) / (1 - a), so any quantile comes back within relative
 * accuracy `a` of a true sample value. Two sketches with the same accuracy merge by adding bin weights,
 * which is what lets hourly rollups combine into any range exactly as if built from the raw values.
 * Weights may be negative: a rollup can move a session from one bin to another when its cost changes.
 */
export const SKETCH_RELATIVE_ACCURACY = 0.01;
const GAMMA = (1 + SKETCH_RELATIVE_ACCURACY) / (1 - SKETCH_RELATIVE_ACCURACY);
const LOG_GAMMA = Math.log(GAMMA);
/** Values below this are counted in the zero bin (micro-dollar costs are far above it). */
const MIN_INDEXABLE = 1e-9;
const EPS = 1e-9;

/** Bins keyed by index; the key `z` holds values at or below MIN_INDEXABLE. */
export type SketchBins = Record<string, number>;

export const ZERO_BIN = 'z';

export function binKey(value: number): string {
  if (!(value > MIN_INDEXABLE)) return ZERO_BIN;
  return String(Math.ceil(Math.log(value) / LOG_GAMMA));
}

function binValue(key: string): number {
  if (key === ZERO_BIN) return 0;
  const i = Number(key);
  return (2 * GAMMA ** i) / (GAMMA + 1);
}

export class Sketch {
  readonly bins: SketchBins;

  constructor(bins: SketchBins = {}) {
    this.bins = { ...bins };
  }

  add(value: number, weight = 1): this {
    if (!Number.isFinite(value) || value < 0 || weight === 0) return this;
    const k = binKey(value);
    const next = (this.bins[k] ?? 0) + weight;
    if (Math.abs(next) < EPS) delete this.bins[k];
    else this.bins[k] = next;
    return this;
  }

  merge(other: SketchBins | Sketch): this {
    const bins = other instanceof Sketch ? other.bins : other;
    for (const [k, w] of Object.entries(bins)) {
      const next = (this.bins[k] ?? 0) + w;
      if (Math.abs(next) < EPS) delete this.bins[k];
      else this.bins[k] = next;
    }
    return this;
  }

  get count(): number {
    let n = 0;
    for (const w of Object.values(this.bins)) if (w > 0) n += w;
    return n;
  }

  /** Quantile q in [0, 1] (lower interpolation over weighted ranks); null when the sketch is empty. */
  quantile(q: number): number | null {
    const entries = Object.entries(this.bins)
      .filter(([, w]) => w > EPS)
      .map(([k, w]) => [binValue(k), w] as const)
      .sort((a, b) => a[0] - b[0]);
    const total = entries.reduce((s, [, w]) => s + w, 0);
    if (total <= EPS) return null;
    const rank = Math.min(Math.max(q, 0), 1) * (total - 1);
    let seen = 0;
    for (const [v, w] of entries) {
      seen += w;
      if (seen > rank + EPS) return v;
    }
    return entries[entries.length - 1]![0];
  }
}

/** Adds `delta`'s bins into `target` in place (a plain-object merge used by rollup deltas). */
export function mergeBins(target: SketchBins, delta: SketchBins): SketchBins {
  for (const [k, w] of Object.entries(delta)) {
    const next = (target[k] ?? 0) + w;
    if (Math.abs(next) < EPS) delete target[k];
    else target[k] = next;
  }
  return target;
}
