import { ChartFigure, type ChartProps, Legend } from './chart-frame';
import { type LineChartData, type LineLayout, layoutLineChart } from './layout';

export type LineChartProps = ChartProps<LineChartData>;

export function LineChart(props: LineChartProps) {
  return (
    <ChartFigure
      {...props}
      layout={layoutLineChart}
      plot={(l: LineLayout) => (
        <>
          {l.lines.map((line) => (
            <path
              key={line.id}
              d={line.d}
              className="chart-line"
              style={{ stroke: line.color }}
              strokeDasharray={line.dashed ? '5 4' : undefined}
            />
          ))}
          {l.dots.map((d) => (
            <circle
              key={d.key}
              cx={d.x}
              cy={d.y}
              r={d.visible ? 2.5 : 6}
              className={d.visible ? 'chart-dot' : 'chart-hit'}
              style={d.visible ? { fill: d.color } : undefined}
            >
              <title>{d.title}</title>
            </circle>
          ))}
        </>
      )}
      legend={(l: LineLayout) => (
        <Legend
          items={l.lines.map((s) => ({ key: s.id, label: s.label, color: s.color, dashed: s.dashed }))}
        />
      )}
    />
  );
}
