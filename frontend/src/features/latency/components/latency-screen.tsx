import { CardGrid, Panel, StatCard } from '../../../components/ui/card';
import { BarChart } from '../../../components/ui/charts/bar-chart';
import { LineChart } from '../../../components/ui/charts/line-chart';
import { Async, Empty } from '../../../components/ui/states';
import { describeWindow, type Filters } from '../../../lib/filters';
import { useLatency } from '../api/use-latency';
import {
  type LatencyRow,
  prepareDurationFigures,
  prepareHistogram,
  prepareLatencyRows,
  prepareLatencyTrend,
} from '../lib/prepare-latency';

/** "Is it slower than usual?" — session durations, their percentiles over time, and per step kind. */
export function LatencyScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const state = useLatency(agentId, filters);
  return (
    <Async state={state}>
      {(l) => {
        const figures = prepareDurationFigures(l);
        return (
          <div className="stack">
            {figures.length > 0 ? (
              <CardGrid>
                {figures.map((f) => (
                  <StatCard key={f.id} label={f.label} value={f.value} detail={f.detail} />
                ))}
              </CardGrid>
            ) : (
              <Empty title="No session durations for this filter">
                Session durations exist for whole sessions; under a model filter only per-call latencies below
                apply.
              </Empty>
            )}
            <div className="grid-2">
              <Panel
                title="Session duration distribution"
                subtitle={describeWindow(filters)}
                id="duration-histogram"
              >
                <BarChart
                  id="duration-histogram"
                  title="Sessions by duration"
                  data={prepareHistogram(l)}
                  height={240}
                />
              </Panel>
              <Panel title="Duration over time" subtitle="Percentiles per bucket" id="latency-trend">
                <LineChart
                  id="latency-trend"
                  title="Session duration percentiles over time"
                  data={prepareLatencyTrend(l)}
                  height={240}
                />
              </Panel>
            </div>
            <Panel
              title="By event type"
              subtitle="Durations of each kind of step (LLM calls, tool calls, …)"
              id="by-event-type"
            >
              <LatencyTable
                label="Event type"
                rows={prepareLatencyRows(
                  l.by_event_type.map((r) => ({ key: r.event_type, latency: r.latency_ms })),
                )}
              />
            </Panel>
            <Panel title="By model" subtitle="LLM call latency per model" id="by-model">
              <LatencyTable
                label="Model"
                rows={prepareLatencyRows(l.by_model.map((r) => ({ key: r.model, latency: r.latency_ms })))}
              />
            </Panel>
          </div>
        );
      }}
    </Async>
  );
}

function LatencyTable({ label, rows }: { label: string; rows: LatencyRow[] }) {
  if (rows.length === 0) return <Empty title="No timed events in this window" />;
  return (
    <table className="table" aria-label={`Latency by ${label.toLowerCase()}`}>
      <thead>
        <tr>
          <th>{label}</th>
          <th className="num">Count</th>
          <th className="num">P50</th>
          <th className="num">P95</th>
          <th className="num">P99</th>
          <th className="num">Avg</th>
          <th className="num">Max</th>
          <th>P95 relative</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((r) => (
          <tr key={r.key}>
            <td className="mono">{r.key}</td>
            <td className="num">{r.count}</td>
            <td className="num">{r.p50}</td>
            <td className="num strong">{r.p95}</td>
            <td className="num">{r.p99}</td>
            <td className="num">{r.avg}</td>
            <td className="num">{r.max}</td>
            <td>
              <div className="share">
                <span className="share-bar" style={{ width: `${r.bar}%` }} />
              </div>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
