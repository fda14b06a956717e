import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SKETCH_RELATIVE_ACCURACY, Sketch } from '../../lambdas/domain/sketch';

const exactQuantile = (values: number[], q: number): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(q * (sorted.length - 1))]!;
};

describe('Sketch (DDSketch)', () => {
  it('answers every quantile within the relative accuracy of a true sample value', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 1e-6, max: 1e7, noNaN: true }), { minLength: 1, maxLength: 400 }),
        fc.constantFrom(0, 0.25, 0.5, 0.9, 0.95, 0.99, 1),
        (values, q) => {
          const sketch = new Sketch();
          for (const v of values) sketch.add(v);
          const truth = exactQuantile(values, q);
          const got = sketch.quantile(q)!;
          expect(Math.abs(got - truth) / truth).toBeLessThanOrEqual(SKETCH_RELATIVE_ACCURACY + 1e-9);
        },
      ),
    );
  });

  it('merges exactly: the union of two sketches equals the sketch of the union', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1e5, noNaN: true })),
        fc.array(fc.double({ min: 0, max: 1e5, noNaN: true })),
        (a, b) => {
          const left = new Sketch();
          for (const v of a) left.add(v);
          const right = new Sketch();
          for (const v of b) right.add(v);
          const all = new Sketch();
          for (const v of [...a, ...b]) all.add(v);
          expect(new Sketch(left.bins).merge(right).bins).toEqual(all.bins);
        },
      ),
    );
  });

  it('undoes an add with a negative weight (a session moving from one cost bin to another)', () => {
    const s = new Sketch().add(1.5).add(2.5);
    s.add(1.5, -1).add(7);
    expect(s.bins).toEqual(new Sketch().add(2.5).add(7).bins);
    expect(s.count).toBe(2);
  });

  it('counts zero and tiny values in the zero bin and returns null when empty', () => {
    const s = new Sketch().add(0).add(0).add(1);
    expect(s.quantile(0.5)).toBe(0);
    expect(new Sketch().quantile(0.5)).toBeNull();
  });

  it('applies fractional weights (sampled sessions count 1 / rate)', () => {
    const s = new Sketch().add(10, 4).add(1000, 1);
    expect(s.count).toBe(5);
    expect(s.quantile(0.5)).toBeCloseTo(10, 0);
    expect(s.quantile(1)).toBeCloseTo(1000, -1);
  });
});
