import { CardGrid, Panel, StatCard } from '../../../components/ui/card';
import { LineChart } from '../../../components/ui/charts/line-chart';
import { Async, Empty } from '../../../components/ui/states';
import { describeSlice, describeWindow, type Filters } from '../../../lib/filters';
import { formatWindow } from '../../../lib/format';
import { useCostTrend, useMonthCost, useOverview } from '../api/use-overview';
import { prepareCostTrend, prepareKpiCards, prepareProjection } from '../lib/prepare-overview';

/** "What is this agent costing me, where does it fail, is it slower than usual?" at a glance. */
export function OverviewScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const overview = useOverview(agentId, filters);
  const trend = useCostTrend(agentId, filters);
  const month = useMonthCost(agentId, filters);
  const slice = describeSlice(filters);
  return (
    <div className="stack">
      <Async
        state={overview}
        loadingLabel="Loading figures…"
        isEmpty={(o) => !o.kpis.sessions.value && !o.kpis.llm_calls.value && !o.kpis.total_cost_usd.value}
        empty={
          <Empty title="No traffic in this window">
            Pick a longer range, remove the filter, or look at all traffic (experiments run outside
            production).
          </Empty>
        }
      >
        {(o) => (
          <section aria-label="Key figures">
            <p className="muted small">
              {formatWindow(o.window)} against {formatWindow(o.previous_window)}
              {slice ? ` · ${slice}` : ''}
            </p>
            <CardGrid>
              {prepareKpiCards(o).map((c) => (
                <StatCard
                  key={c.id}
                  label={c.label}
                  value={c.value}
                  change={c.change}
                  tone={c.tone}
                  detail={c.detail}
                  hint={c.hint}
                />
              ))}
            </CardGrid>
          </section>
        )}
      </Async>
      <div className="grid-2-1">
        <Panel
          title="Cost trend"
          subtitle={`${describeWindow(filters)}, with the previous period dashed`}
          id="cost-trend"
        >
          <Async state={trend} loadingLabel="Loading cost…">
            {(s) => <LineChart id="cost-trend" title="Cost per bucket" data={prepareCostTrend(s)} />}
          </Async>
        </Panel>
        <Panel title="Month-end projection" subtitle="At the last 7 days' daily run rate" id="projection">
          <Async state={month} loadingLabel="Loading month…">
            {(m) => {
              const p = prepareProjection(m);
              return (
                <div>
                  <dl className="facts">
                    <div>
                      <dt>{p.monthLabel} so far</dt>
                      <dd data-fact="month-to-date">{p.monthToDate}</dd>
                    </div>
                    <div>
                      <dt>Run rate</dt>
                      <dd>{p.runRate}</dd>
                    </div>
                    <div>
                      <dt>Projected month</dt>
                      <dd className="strong" data-fact="projected">
                        {p.projected}
                      </dd>
                    </div>
                  </dl>
                  <LineChart
                    id="projection"
                    title="Cumulative spend this month and projection"
                    data={p.chart}
                    width={420}
                    height={200}
                  />
                </div>
              );
            }}
          </Async>
        </Panel>
      </div>
    </div>
  );
}
