import { ChartFigure, type ChartProps, Legend } from './chart-frame';
import { type BarChartData, type BarLayout, layoutBarChart } from './layout';

export type BarChartProps = ChartProps<BarChartData>;

export function BarChart(props: BarChartProps) {
  return (
    <ChartFigure
      {...props}
      layout={layoutBarChart}
      plot={(l: BarLayout) => (
        <>
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
        </>
      )}
      legend={() => (
        <Legend items={props.data.stacks.map((s) => ({ key: s.key, label: s.label, color: s.color }))} />
      )}
    />
  );
}
