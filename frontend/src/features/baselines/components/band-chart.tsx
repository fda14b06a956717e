import { ChartFigure, type ChartProps, Legend } from '../../../components/ui/charts/chart-frame';
import { type BandLayout, layoutBandChart } from '../lib/band-layout';
import type { BandChartData } from '../lib/prepare-baselines';

export type BandChartProps = ChartProps<BandChartData>;

const LEGEND = [
  { key: 'actual', label: 'Actual', color: 'var(--series-1)' },
  { key: 'expected', label: 'Expected', color: 'var(--series-8)', dashed: true },
  { key: 'band', label: 'Usual range', color: 'var(--band-fill)' },
  { key: 'outside', label: 'Outside the range', color: 'var(--bad)' },
];

/** The usual range (shaded), the expected line (dashed) and the actual values, hours outside marked. */
export function BandChart(props: BandChartProps) {
  return (
    <ChartFigure
      {...props}
      className="band-chart"
      layout={layoutBandChart}
      plot={(l: BandLayout) => (
        <>
          <g className="band-area">
            {l.bands.map((d) => (
              <path key={d} d={d} />
            ))}
          </g>
          <path d={l.expected} className="chart-line band-expected" strokeDasharray="5 4" />
          <path d={l.actual} className="chart-line band-actual" />
          {l.dots.map((d) => (
            <circle
              key={d.key}
              cx={d.x}
              cy={d.y}
              r={d.outside ? 3.5 : d.visible ? 2 : 6}
              className={d.outside ? 'band-outside' : d.visible ? 'chart-dot band-dot' : 'chart-hit'}
              data-outside={d.outside ?? undefined}
            >
              <title>{d.title}</title>
            </circle>
          ))}
        </>
      )}
      legend={(l: BandLayout) => {
        const outside = l.dots.filter((d) => d.outside !== null).length;
        return (
          <>
            <figcaption className="sr-only">
              {outside === 0
                ? 'No hour outside the usual range.'
                : `${outside} ${outside === 1 ? 'hour' : 'hours'} outside the usual range.`}
            </figcaption>
            <Legend items={LEGEND} />
          </>
        );
      }}
    />
  );
}
