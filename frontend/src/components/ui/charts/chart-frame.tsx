import { type ReactNode, type RefObject, useEffect, useMemo, useRef, useState } from 'react';
import { markChartDrawn } from './first-chart';
import type { AxisTick, Frame, Size } from './layout';

/** What every chart component takes: the prepared data and the size it is laid out at. */
export interface ChartProps<D> {
  /** Stable id: `data-chart` for tests and the benchmark. */
  id: string;
  title: string;
  data: D;
  width?: number;
  height?: number;
}

/** The part of a chart layout the frame draws (axes, grid, the empty note). */
export type FrameLayout = Pick<ChartFrameProps, 'size' | 'frame' | 'yTicks' | 'xTicks' | 'hasData'>;

/**
 * The chart's drawing width follows its container (so text stays at its CSS size); without
 * ResizeObserver (jsdom) it keeps the given width and scales through the viewBox.
 */
export function useChartWidth(fallback: number): [RefObject<HTMLElement | null>, number] {
  const ref = useRef<HTMLElement | null>(null);
  const [width, setWidth] = useState(fallback);
  useEffect(() => {
    const el = ref.current;
    if (!el || typeof ResizeObserver === 'undefined') return;
    const update = () => {
      const w = Math.round(el.clientWidth);
      if (w > 0) setWidth((old) => (Math.abs(old - w) >= 4 ? w : old));
    };
    update();
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width];
}

export interface ChartFrameProps {
  /** Stable id: `data-chart` for tests and the benchmark. */
  id: string;
  title: string;
  size: Size;
  frame: Frame;
  yTicks: AxisTick[];
  xTicks: AxisTick[];
  hasData: boolean;
  children: ReactNode;
}

/** The SVG, its axes and grid; scales with its container through the viewBox. */
export function ChartFrame({ id, title, size, frame, yTicks, xTicks, hasData, children }: ChartFrameProps) {
  useEffect(() => {
    if (hasData) markChartDrawn();
  }, [hasData]);
  return (
    <svg
      className="chart"
      viewBox={`0 0 ${size.width} ${size.height}`}
      preserveAspectRatio="xMidYMid meet"
      role="img"
      aria-label={title}
      data-chart={id}
      data-has-data={hasData ? 'true' : 'false'}
    >
      <title>{title}</title>
      <g className="chart-grid">
        {yTicks.map((t) => (
          <g key={`y${t.pos}`}>
            <line x1={frame.left} x2={frame.right} y1={t.pos} y2={t.pos} />
            <text x={frame.left - 6} y={t.pos} dy="0.32em" textAnchor="end">
              {t.label}
            </text>
          </g>
        ))}
      </g>
      <g className="chart-axis">
        <line x1={frame.left} x2={frame.right} y1={frame.bottom} y2={frame.bottom} />
        {xTicks.map((t) => (
          <text key={`x${t.pos}`} x={t.pos} y={frame.bottom + 16} textAnchor="middle">
            {t.label}
          </text>
        ))}
      </g>
      {children}
      {!hasData && (
        <text className="chart-empty" x={(frame.left + frame.right) / 2} y={(frame.top + frame.bottom) / 2}>
          No data in this window
        </text>
      )}
    </svg>
  );
}

export function Legend({
  items,
}: {
  items: ReadonlyArray<{ key: string; label: string; color: string; dashed?: boolean }>;
}) {
  if (items.length < 2) return null;
  return (
    <ul className="legend">
      {items.map((i) => (
        <li key={i.key}>
          <span
            className={i.dashed ? 'swatch swatch-dashed' : 'swatch'}
            style={{ borderColor: i.color, background: i.dashed ? 'transparent' : i.color }}
          />
          {i.label}
        </li>
      ))}
    </ul>
  );
}

/**
 * A chart: the figure that measures its width, the pure layout of `data` at that size, the frame (axes,
 * grid, empty note) with `plot(layout)` drawn inside it, then `legend(layout)` (a caption, a legend)
 * below it.
 */
export function ChartFigure<D, L extends FrameLayout>({
  id,
  title,
  data,
  width = 720,
  height = 220,
  layout,
  className,
  plot,
  legend,
}: ChartProps<D> & {
  layout: (data: D, size: Size) => L;
  className?: string;
  plot: (l: L) => ReactNode;
  legend: (l: L) => ReactNode;
}) {
  const [ref, measured] = useChartWidth(width);
  const l = useMemo(() => layout(data, { width: measured, height }), [layout, data, measured, height]);
  return (
    <figure className={className ? `chart-figure ${className}` : 'chart-figure'} ref={ref}>
      <ChartFrame
        id={id}
        title={title}
        size={l.size}
        frame={l.frame}
        yTicks={l.yTicks}
        xTicks={l.xTicks}
        hasData={l.hasData}
      >
        {plot(l)}
      </ChartFrame>
      {legend(l)}
    </figure>
  );
}
