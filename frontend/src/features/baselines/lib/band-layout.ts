import type { AxisTick, Frame, Size } from '../../../components/ui/charts/layout';
import { labelIndexes, linearScale, linePath, niceTicks, round } from '../../../components/ui/charts/scale';
import type { BandChartData } from './prepare-baselines';

/**
 * A band chart's SVG geometry: the expected band (lower–upper) as shaded areas, one per run of hours
 * with a baseline, the expected line, the actual line, and a dot per actual value, those outside the
 * band marked. Pure; the component only draws it. Gaps (no baseline, nothing measured) stay gaps.
 */

export interface BandLayout {
  size: Size;
  frame: Frame;
  yTicks: AxisTick[];
  xTicks: AxisTick[];
  /** Closed paths, one per run of consecutive hours with a band. */
  bands: string[];
  expected: string;
  actual: string;
  dots: Array<{
    key: string;
    x: number;
    y: number;
    title: string;
    outside: 'above' | 'below' | null;
    /** Drawn visibly (outside points always are; others when there is room). */
    visible: boolean;
  }>;
  hasData: boolean;
}

// The shared charts' margins, so a band chart lines up with the line charts of other screens.
const MARGIN = { left: 56, right: 12, top: 10, bottom: 24 };

const finite = (v: number | null | undefined): v is number =>
  v !== null && v !== undefined && Number.isFinite(v);

export function layoutBandChart(data: BandChartData, size: Size): BandLayout {
  const frame: Frame = {
    left: MARGIN.left,
    top: MARGIN.top,
    right: size.width - MARGIN.right,
    bottom: size.height - MARGIN.bottom,
  };
  const n = data.labels.length;
  const values = [...data.actual, ...data.upper, ...data.lower, ...data.expected].filter(finite);
  const hasData = data.actual.some(finite);
  const max = values.length > 0 ? Math.max(...values) : 0;
  const min = values.length > 0 ? Math.min(...values) : 0;
  const { ticks, top, bottom } = niceTicks(min, max || 1, 4);
  const y = linearScale(bottom, top, frame.bottom, frame.top);
  const x = (i: number) => frame.left + ((i + 0.5) * (frame.right - frame.left)) / Math.max(1, n);

  const bands: string[] = [];
  let run: number[] = [];
  const flush = () => {
    if (run.length === 0) return;
    const at = (i: number) => ({ x: x(i), up: y(data.upper[i]!), low: y(data.lower[i] ?? 0) });
    let pts = run.map(at);
    if (pts.length === 1) {
      // A lone hour gets a block as wide as its slot, so it still shows.
      const p = pts[0]!;
      const half = (frame.right - frame.left) / Math.max(1, n) / 2;
      pts = [
        { ...p, x: p.x - half },
        { ...p, x: p.x + half },
      ];
    }
    const outline = [
      ...pts.map((p) => ({ x: p.x, y: p.up })),
      ...pts.reverse().map((p) => ({ x: p.x, y: p.low })),
    ];
    bands.push(`${linePath(outline)}Z`);
    run = [];
  };
  for (let i = 0; i < n; i++) {
    if (finite(data.upper[i])) run.push(i);
    else flush();
  }
  flush();

  const path = (vs: ReadonlyArray<number | null>) =>
    linePath(Array.from({ length: n }, (_, i) => (finite(vs[i]) ? { x: x(i), y: y(vs[i]!) } : null)));

  const roomy = (frame.right - frame.left) / Math.max(1, n) >= 12;
  const dots: BandLayout['dots'] = [];
  data.actual.forEach((v, i) => {
    if (!finite(v)) return;
    const side = data.outside[i] ?? null;
    const band =
      finite(data.upper[i]) && finite(data.expected[i])
        ? ` · expected ${data.formatY(data.expected[i]!)}, usual ${data.formatY(data.lower[i] ?? 0)} – ${data.formatY(data.upper[i]!)}`
        : ' · no baseline';
    dots.push({
      key: String(i),
      x: round(x(i)),
      y: round(y(v)),
      title: `${data.titles[i] ?? data.labels[i] ?? ''}: ${data.formatY(v)}${band}${side ? ` · ${side} the band` : ''}`,
      outside: side,
      visible: side !== null || roomy,
    });
  });

  const maxLabels = Math.max(2, Math.floor(size.width / 90));
  return {
    size,
    frame,
    yTicks: ticks.map((t) => ({ pos: round(y(t)), label: data.formatY(t) })),
    xTicks: xTicks(data.labels, maxLabels).map((i) => ({ pos: round(x(i)), label: data.labels[i] ?? '' })),
    bands,
    expected: path(data.expected),
    actual: path(data.actual),
    dots,
    hasData,
  };
}

/** Indexes of at most `max` labels, chosen among the non-empty ones. */
function xTicks(labels: readonly string[], max: number): number[] {
  const named = labels.flatMap((l, i) => (l ? [i] : []));
  return labelIndexes(named.length, max).map((k) => named[k]!);
}
