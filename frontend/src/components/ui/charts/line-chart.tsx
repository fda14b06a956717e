import { useMemo } from 'react';
import { ChartFrame, Legend, useChartWidth } from './chart-frame';
import { type LineChartData, layoutLineChart } from './layout';

export interface LineChartProps {
  id: string;
  title: string;
  data: LineChartData;
  width?: number;
  height?: number;
}

export function LineChart({ id, title, data, width = 720, height = 220 }: LineChartProps) {
  const [ref, measured] = useChartWidth(width);
  const l = useMemo(() => layoutLineChart(data, { width: measured, height }), [data, measured, height]);
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
      </ChartFrame>
      <Legend items={l.lines.map((s) => ({ key: s.id, label: s.label, color: s.color, dashed: s.dashed }))} />
    </figure>
  );
}
