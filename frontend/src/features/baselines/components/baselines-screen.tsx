import type { AnomalyMetric } from '../../../../../contracts/alerts';
import { Panel } from '../../../components/ui/card';
import { Link } from '../../../components/ui/link';
import { choicesOf, SelectLabel } from '../../../components/ui/select-label';
import { Async, Empty } from '../../../components/ui/states';
import { describeWindow, type Filters } from '../../../lib/filters';
import { formatTime, formatWindow } from '../../../lib/format';
import { useParams, withParams } from '../../../lib/router';
import { useBaselineList, useBaselineSeries, useBaselineStatus } from '../api/use-baselines';
import {
  type BandChartModel,
  baselineNotice,
  chosenSlice,
  isAnomalyMetric,
  METRIC_LABELS,
  METRIC_ORDER,
  prepareBandCharts,
  prepareStatusRows,
  type StatusRow,
  seriesWindow,
  sliceOptions,
} from '../lib/prepare-baselines';
import { BandChart } from './band-chart';

/** "What does normal look like for this agent, and is it normal now?" — bands, actual values, status. */
export function BaselinesScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const [params, setParams] = useParams();
  const slice = chosenSlice(params.get('slice'), filters);
  const metricParam = params.get('metric');
  const metric: AnomalyMetric | null = isAnomalyMetric(metricParam) ? metricParam : null;
  const { params: window, note } = seriesWindow(filters, Date.now());
  const list = useBaselineList(agentId);
  const status = useBaselineStatus(agentId, slice);
  const series = useBaselineSeries(agentId, slice, window);
  const options = sliceOptions(list.data, slice);
  const search = params.toString();

  return (
    <div className="stack baselines">
      <div className="filter-bar" role="toolbar" aria-label="Baseline options">
        <SelectLabel
          label="Slice"
          ariaLabel="Baseline slice"
          value={slice}
          onChange={(v) => setParams({ slice: v })}
          choices={options}
        />
        <SelectLabel
          label="Metric"
          value={metric ?? ''}
          onChange={(v) => setParams({ metric: v || null })}
          choices={[{ value: '', label: 'All metrics' }, ...choicesOf(METRIC_ORDER, METRIC_LABELS)]}
        />
        <span className="muted small">
          Production traffic only
          {filters.production !== 'true' ? ' (the Traffic filter does not apply here)' : ''}
        </span>
      </div>

      <Async state={status} loadingLabel="Loading status…">
        {(s) => {
          const notice = baselineNotice(s);
          const rows = prepareStatusRows(s);
          return (
            <>
              {notice.kind !== 'ready' && (
                <div className="baseline-notice" data-baseline-state={notice.kind} role="status">
                  <strong>{notice.title}</strong> <span>{notice.detail}</span>
                </div>
              )}
              <Panel
                title="Now against the usual range"
                subtitle={`Checked ${formatTime(s.at)} UTC${notice.kind === 'ready' ? ` · ${notice.detail}` : ''}${
                  s.open_incidents > 0
                    ? ` · ${s.open_incidents} open incident${s.open_incidents === 1 ? '' : 's'}`
                    : ''
                }`}
                id="baseline-status"
              >
                {rows.length === 0 ? (
                  <Empty title="No metrics judged for this slice" />
                ) : (
                  <StatusTable rows={rows} search={search} />
                )}
              </Panel>
            </>
          );
        }}
      </Async>

      <Panel
        title={metric ? METRIC_LABELS[metric] : 'Usual range over time'}
        subtitle={`${describeWindow(filters)}, hourly${note ? ` · ${note}` : ''}`}
        id="baseline-charts"
        actions={
          metric ? (
            <Link href={withParams(search, { metric: null })} className="baseline-back">
              All metrics
            </Link>
          ) : undefined
        }
      >
        <Async
          state={series}
          loadingLabel="Loading bands…"
          isEmpty={(r) => r.series.length === 0}
          empty={
            <Empty title="No metrics for this slice">
              Model slices carry event figures only; pick another slice.
            </Empty>
          }
        >
          {(r) => {
            const charts = prepareBandCharts(r, metric);
            if (charts.length === 0) {
              return <Empty title={`No ${metric ? METRIC_LABELS[metric] : 'metric'} for this slice`} />;
            }
            return (
              <>
                <p className="muted small">{formatWindow(r.window)}</p>
                <div className={metric ? 'stack' : 'grid-2 band-grid'}>
                  {charts.map((c) => (
                    <BandPanel key={c.metric} chart={c} large={metric !== null} search={search} />
                  ))}
                </div>
              </>
            );
          }}
        </Async>
      </Panel>
    </div>
  );
}

function chartSubtitle(c: BandChartModel): string {
  const judged = c.direction === 'up' ? 'only a rise is judged' : 'rises and falls are judged';
  if (c.state === 'no_data') return 'Nothing measured in this window';
  if (c.state === 'no_baseline') return 'No baseline for these hours yet';
  const out =
    c.outsideCount === 0
      ? 'no hour outside the usual range'
      : `${c.outsideCount} ${c.outsideCount === 1 ? 'hour' : 'hours'} outside the usual range`;
  return `${out} · ${judged}`;
}

function BandPanel({ chart, large, search }: { chart: BandChartModel; large: boolean; search: string }) {
  return (
    <section
      className="band-panel"
      aria-label={chart.label}
      data-metric={chart.metric}
      data-chart-state={chart.state}
    >
      <header className="band-panel-header">
        <h3>
          {large ? (
            chart.label
          ) : (
            <Link href={withParams(search, { metric: chart.metric })} title="Show this metric larger">
              {chart.label}
            </Link>
          )}
        </h3>
        <p className={`muted small${chart.outsideCount > 0 ? ' band-outside-note' : ''}`}>
          {chartSubtitle(chart)}
        </p>
      </header>
      <BandChart
        id={`band-${chart.metric}`}
        title={`${chart.label}: actual hourly values against the usual range`}
        data={chart.data}
        height={large ? 300 : 190}
        width={large ? 960 : 520}
      />
    </section>
  );
}

function StatusTable({ rows, search }: { rows: StatusRow[]; search: string }) {
  return (
    <div className="table-wrap">
      <table className="table" aria-label="Current status per metric">
        <thead>
          <tr>
            <th scope="col">Metric</th>
            <th scope="col" className="num">
              Now
            </th>
            <th scope="col" className="num">
              Expected
            </th>
            <th scope="col" className="num">
              Usual range
            </th>
            <th scope="col">State</th>
            <th scope="col" className="num">
              Volume
            </th>
            <th scope="col">Window (UTC)</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.metric} data-metric={r.metric} data-state={r.state}>
              <th scope="row">
                <Link href={withParams(search, { metric: r.metric })}>{r.label}</Link>
              </th>
              <td className="num">{r.value}</td>
              <td className="num">{r.expected}</td>
              <td className="num">{r.band}</td>
              <td>
                <span className={`badge baseline-state tone-${r.tone}`}>
                  {r.stateLabel}
                  {r.severity ? ` (${r.severity})` : ''}
                </span>
              </td>
              <td className="num">{r.volume}</td>
              <td className="small">{r.window}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
