import { describe, expect, it } from 'vitest';
import { layoutBarChart, layoutLineChart } from '../../frontend/src/components/ui/charts/layout';
import {
  labelIndexes,
  linearScale,
  linePath,
  niceStep,
  niceTicks,
} from '../../frontend/src/components/ui/charts/scale';

const size = { width: 400, height: 200 };

describe('linearScale', () => {
  it('maps the domain onto the range, inverted for y axes', () => {
    const y = linearScale(0, 10, 180, 10);
    expect(y(0)).toBe(180);
    expect(y(10)).toBe(10);
    expect(y(5)).toBe(95);
  });

  it('maps a zero-width domain to the middle of the range', () => {
    expect(linearScale(3, 3, 0, 100)(3)).toBe(50);
  });
});

describe('niceTicks', () => {
  it('covers the maximum with round steps starting at zero', () => {
    const { ticks, top } = niceTicks(0, 1.66, 4);
    expect(ticks[0]).toBe(0);
    expect(top).toBeGreaterThanOrEqual(1.66);
    expect(ticks).toEqual([0, 0.5, 1, 1.5, 2]);
  });

  it('gives a usable axis when every value is zero', () => {
    const { ticks, top } = niceTicks(0, 0, 4);
    expect(top).toBeGreaterThan(0);
    expect(ticks.length).toBeGreaterThan(1);
  });

  it('includes negative values', () => {
    expect(niceTicks(-3, 7, 4).bottom).toBeLessThanOrEqual(-3);
  });

  it('picks 1, 2, 2.5 or 5 times a power of ten', () => {
    expect(niceStep(100, 4)).toBe(25);
    expect(niceStep(7, 4)).toBe(2);
    expect(niceStep(0.03, 3)).toBeCloseTo(0.01);
  });
});

describe('linePath', () => {
  it('breaks the line at nulls so gaps stay gaps', () => {
    expect(linePath([{ x: 0, y: 1 }, { x: 1, y: 2 }, null, { x: 3, y: 4 }])).toBe('M0,1L1,2M3,4');
  });

  it('is empty without points', () => {
    expect(linePath([null, null])).toBe('');
  });
});

describe('labelIndexes', () => {
  it('keeps every label when they fit and spreads them evenly otherwise', () => {
    expect(labelIndexes(3, 5)).toEqual([0, 1, 2]);
    expect(labelIndexes(30, 5)).toEqual([0, 6, 12, 18, 24]);
  });
});

describe('layoutLineChart', () => {
  const data = {
    labels: ['a', 'b', 'c', 'd'],
    series: [{ id: 's', label: 'S', color: 'red', values: [1, null, 3, 4] }],
    formatY: (v: number) => `${v}`,
  };

  it('draws one path per series with a gap for missing values', () => {
    const l = layoutLineChart(data, size);
    expect(l.lines).toHaveLength(1);
    expect(l.lines[0]!.d.match(/M/g)).toHaveLength(2);
    expect(l.hasData).toBe(true);
  });

  it('puts a hover target on every value, with a tooltip naming bucket, series and value', () => {
    const l = layoutLineChart(data, size);
    expect(l.dots).toHaveLength(3);
    expect(l.dots[0]!.title).toBe('a · S: 1');
  });

  it('marks a chart without values as empty', () => {
    const l = layoutLineChart(
      { ...data, series: [{ ...data.series[0]!, values: [null, null, null, null] }] },
      size,
    );
    expect(l.hasData).toBe(false);
  });

  it('raises the axis to yMax so side-by-side charts share a scale', () => {
    const l = layoutLineChart({ ...data, yMax: 100 }, size);
    expect(Number(l.yTicks.at(-1)!.label)).toBeGreaterThanOrEqual(100);
  });

  it('places higher values higher on screen', () => {
    const l = layoutLineChart(data, size);
    const [first, , last] = l.dots;
    expect(last!.y).toBeLessThan(first!.y);
  });
});

describe('layoutBarChart', () => {
  const data = {
    labels: ['Mon', 'Tue', 'Wed'],
    stacks: [
      { key: 'a', label: 'A', color: 'red' },
      { key: 'b', label: 'B', color: 'blue' },
    ],
    values: [[1, 2], null, [0, 4]],
    formatY: (v: number) => `${v}`,
    markers: [{ at: 1.5, label: 'P50' }],
  };

  it('stacks segments bottom first and skips zero and missing values', () => {
    const l = layoutBarChart(data, size);
    expect(l.rects.map((r) => r.key)).toEqual(['0-0', '0-1', '2-1']);
    const [a, b] = l.rects;
    expect(b!.y + b!.h).toBeCloseTo(a!.y, 0);
  });

  it('scales bars to the tallest stack', () => {
    const l = layoutBarChart(data, size);
    const h = (key: string) => l.rects.find((r) => r.key === key)!.h;
    expect(h('2-1')).toBeGreaterThan(h('0-1'));
  });

  it('places markers at fractional bar positions', () => {
    const l = layoutBarChart(data, size);
    const slot = (l.frame.right - l.frame.left) / 3;
    expect(l.markers[0]!.x).toBeCloseTo(l.frame.left + 1.5 * slot, 0);
  });

  it('names the stack in tooltips of stacked charts', () => {
    expect(layoutBarChart(data, size).rects[1]!.title).toBe('Mon · B: 2');
  });
});
