import { type LinearScale, labelIndexes, linearScale, linePath, niceTicks, round } from './scale';

/**
 * Chart inputs (what feature "prepare" functions produce) and their layout into SVG geometry.
 * Both are pure; the chart components only draw what these return.
 */

export interface Series {
  id: string;
  label: string;
  /** A CSS colour, usually a var(--series-N). */
  color: string;
  /** One value per x label; null is a gap (no data), never a zero. */
  values: ReadonlyArray<number | null>;
  dashed?: boolean;
}

export interface LineChartData {
  /** x categories (bucket labels), equally spaced. */
  labels: readonly string[];
  /** Longer labels for tooltips (e.g. a full date); defaults to labels. */
  titles?: readonly string[];
  series: readonly Series[];
  formatY: (v: number) => string;
  /** Forces the top of the y axis (charts shown side by side share a scale). */
  yMax?: number;
}

export interface Size {
  width: number;
  height: number;
}

export interface Frame {
  left: number;
  top: number;
  right: number;
  bottom: number;
}

export interface AxisTick {
  pos: number;
  label: string;
}

const MARGIN = { left: 56, right: 12, top: 10, bottom: 24 };

function frameOf(size: Size): Frame {
  return {
    left: MARGIN.left,
    top: MARGIN.top,
    right: size.width - MARGIN.right,
    bottom: size.height - MARGIN.bottom,
  };
}

function yAxis(max: number, min: number, frame: Frame, format: (v: number) => string) {
  const { ticks, top, bottom } = niceTicks(min, max, 4);
  const y = linearScale(bottom, top, frame.bottom, frame.top);
  return { y, ticks: ticks.map((t) => ({ pos: round(y(t)), label: format(t) })) };
}

function xLabels(labels: readonly string[], at: (i: number) => number, width: number): AxisTick[] {
  const max = Math.max(2, Math.floor(width / 80));
  return labelIndexes(labels.length, max).map((i) => ({ pos: round(at(i)), label: labels[i] ?? '' }));
}

export interface LineLayout {
  size: Size;
  frame: Frame;
  yTicks: AxisTick[];
  xTicks: AxisTick[];
  lines: Array<{ id: string; label: string; color: string; dashed: boolean; d: string }>;
  /** One per value: a hover target with its tooltip; drawn visibly only when points are sparse. */
  dots: Array<{ key: string; x: number; y: number; color: string; title: string; visible: boolean }>;
  hasData: boolean;
}

export function layoutLineChart(data: LineChartData, size: Size): LineLayout {
  const frame = frameOf(size);
  const all = data.series.flatMap((s) =>
    s.values.filter((v): v is number => v !== null && Number.isFinite(v)),
  );
  const hasData = all.length > 0;
  const top = Math.max(hasData ? Math.max(...all) : 0, data.yMax ?? 0) || 1;
  const { y, ticks } = yAxis(top, hasData ? Math.min(...all) : 0, frame, data.formatY);
  const n = data.labels.length;
  // Points sit in the middle of their bucket, like bars, so line and bar charts of a window align.
  const x: LinearScale = (i) => frame.left + ((i + 0.5) * (frame.right - frame.left)) / Math.max(1, n);
  const titles = data.titles ?? data.labels;
  const lines = data.series.map((s) => ({
    id: s.id,
    label: s.label,
    color: s.color,
    dashed: s.dashed ?? false,
    d: linePath(
      Array.from({ length: n }, (_, i) => {
        const v = s.values[i];
        return v === null || v === undefined || !Number.isFinite(v) ? null : { x: x(i), y: y(v) };
      }),
    ),
  }));
  // Visible dots when there is room for them, and always for a point with no neighbour (a line of one
  // point would not show at all).
  const roomy = (frame.right - frame.left) / Math.max(1, n) >= 16;
  const dots: LineLayout['dots'] = [];
  for (const s of data.series) {
    s.values.forEach((v, i) => {
      if (v === null || v === undefined || !Number.isFinite(v)) return;
      const lonely = (s.values[i - 1] ?? null) === null && (s.values[i + 1] ?? null) === null;
      dots.push({
        key: `${s.id}-${i}`,
        x: round(x(i)),
        y: round(y(v)),
        color: s.color,
        title: `${titles[i] ?? ''} · ${s.label}: ${data.formatY(v)}`,
        visible: roomy || lonely,
      });
    });
  }
  return { size, frame, yTicks: ticks, xTicks: xLabels(data.labels, x, size.width), lines, dots, hasData };
}

export interface BarChartData {
  labels: readonly string[];
  titles?: readonly string[];
  /** Stack segments, bottom first. */
  stacks: ReadonlyArray<{ key: string; label: string; color: string }>;
  /** values[bar][stack]; null for a bar means no data in that bucket. */
  values: ReadonlyArray<ReadonlyArray<number> | null>;
  formatY: (v: number) => string;
  yMax?: number;
  /** Vertical lines at fractional bar positions (1.5 = middle of the second bar), e.g. percentiles. */
  markers?: ReadonlyArray<{ at: number; label: string }>;
}

export interface BarLayout {
  size: Size;
  frame: Frame;
  yTicks: AxisTick[];
  xTicks: AxisTick[];
  rects: Array<{ key: string; x: number; y: number; w: number; h: number; color: string; title: string }>;
  markers: Array<{ key: string; x: number; labelY: number; label: string }>;
  hasData: boolean;
}

export function layoutBarChart(data: BarChartData, size: Size): BarLayout {
  const frame = frameOf(size);
  const totals = data.values.map((v) => (v ? v.reduce((a, b) => a + b, 0) : 0));
  const hasData = data.values.some((v) => v?.some((x) => x > 0));
  const top = Math.max(hasData ? Math.max(...totals) : 0, data.yMax ?? 0) || 1;
  const { y, ticks } = yAxis(top, 0, frame, data.formatY);
  const n = data.labels.length;
  const slot = (frame.right - frame.left) / Math.max(1, n);
  const gap = Math.min(4, slot * 0.2);
  const titles = data.titles ?? data.labels;
  const rects: BarLayout['rects'] = [];
  data.values.forEach((bar, i) => {
    if (!bar) return;
    let base = 0;
    bar.forEach((v, k) => {
      if (!(v > 0)) return;
      const stack = data.stacks[k];
      const y0 = y(base);
      const y1 = y(base + v);
      base += v;
      rects.push({
        key: `${i}-${k}`,
        x: round(frame.left + i * slot + gap / 2),
        y: round(y1),
        w: round(Math.max(1, slot - gap)),
        h: round(Math.max(0.5, y0 - y1)),
        color: stack?.color ?? 'currentColor',
        title: `${titles[i] ?? ''} · ${data.stacks.length > 1 ? `${stack?.label ?? ''}: ` : ''}${data.formatY(v)}`,
      });
    });
  });
  const at = (i: number) => frame.left + (i + 0.5) * slot;
  // Labels step down so that close markers (P95 next to P99) stay readable.
  const markers = (data.markers ?? []).map((m, k) => ({
    key: m.label,
    x: round(frame.left + m.at * slot),
    labelY: frame.top + 10 + k * 12,
    label: m.label,
  }));
  return {
    size,
    frame,
    yTicks: ticks,
    xTicks: xLabels(data.labels, at, size.width),
    rects,
    markers,
    hasData,
  };
}
