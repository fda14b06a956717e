import { useMemo } from 'react';
import { ChartFrame, Legend, useChartWidth } from './chart-frame';
import { type BarChartData, layoutBarChart } from './layout';

export interface BarChartProps {
  id: string;
  title: string;
  data: BarChartData;
  width?: number;
  height?: number;
}

export function BarChart({ id, title, data, width = 720, height = 220 }: BarChartProps) {
  const [ref, measured] = useChartWidth(width);
  const l = useMemo(() => layoutBarChart(data, { width: measured, height }), [data, measured, height]);
  return (
    <figure className="chart-figure" ref={ref}>
      <ChartFrame
        id={id}
        title={title}
        size={l.size}
        frame={l.frame}
        yTicks={l.yTicks}
        xTicks={l.xTicks}
        hasData={l.hasData}
      >
        {l.rects.map((r) => (
          <rect
            key={r.key}
            x={r.x}
            y={r.y}
            width={r.w}
            height={r.h}
            className="chart-bar"
            style={{ fill: r.color }}
          >
            <title>{r.title}</title>
          </rect>
        ))}
        {l.markers.map((m) => (
          <g key={m.key} className="chart-marker">
            <line x1={m.x} x2={m.x} y1={l.frame.top} y2={l.frame.bottom} />
            <text x={m.x + 3} y={m.labelY}>
              {m.label}
            </text>
          </g>
        ))}
      </ChartFrame>
      <Legend items={data.stacks.map((s) => ({ key: s.key, label: s.label, color: s.color }))} />
    </figure>
  );
}
