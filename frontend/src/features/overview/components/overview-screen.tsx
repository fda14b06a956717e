import { CardGrid, Panel, StatCard } from '../../../components/ui/card';
import { LineChart } from '../../../components/ui/charts/line-chart';
import { Link } from '../../../components/ui/link';
import { Async, Empty } from '../../../components/ui/states';
import { describeSlice, describeWindow, type Filters } from '../../../lib/filters';
import { formatWindow } from '../../../lib/format';
import { useSearch } from '../../../lib/router';
import { viewHref } from '../../../lib/routes';
import { METRIC_LABELS } from '../../baselines/lib/prepare-baselines';
import { useBaselineMarkers, useCostTrend, useMonthCost, useOverview } from '../api/use-overview';
import { type BaselineBadge, prepareBaselineMarkers } from '../lib/baseline-badges';
import { prepareCostTrend, prepareKpiCards, prepareProjection } from '../lib/prepare-overview';

/** "What is this agent costing me, where does it fail, is it slower than usual?" at a glance. */
export function OverviewScreen({ agentId, filters }: { agentId: string; filters: Filters }) {
  const overview = useOverview(agentId, filters);
  const trend = useCostTrend(agentId, filters);
  const month = useMonthCost(agentId, filters);
  // Asked alongside the overview; when it fails or there is no baseline the cards just have no markers.
  const baseline = useBaselineMarkers(agentId, filters);
  const search = useSearch();
  const markerHref = (b: BaselineBadge) => viewHref(search, agentId, 'baselines', { metric: b.metric });
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
        {(o) => {
          const markers = prepareBaselineMarkers(o, baseline.status === 'success' ? baseline.data : null);
          return (
            <section aria-label="Key figures">
              <p className="muted small">
                {formatWindow(o.window)} against {formatWindow(o.previous_window)}
                {slice ? ` · ${slice}` : ''}
              </p>
              <CardGrid>
                {prepareKpiCards(o).map((c) => {
                  const b = markers.cards.get(c.id);
                  return (
                    <StatCard
                      key={c.id}
                      label={c.label}
                      value={c.value}
                      change={c.change}
                      tone={c.tone}
                      detail={
                        b ? (
                          <>
                            {c.detail}
                            <BaselineMarker badge={b} href={markerHref(b)} />
                          </>
                        ) : (
                          c.detail
                        )
                      }
                      hint={c.hint}
                    />
                  );
                })}
              </CardGrid>
              {markers.others.length > 0 && (
                <p className="baseline-others small" data-baseline-others="">
                  Also outside the usual range now:{' '}
                  {markers.others.map((b, i) => (
                    <span key={b.metric}>
                      {i > 0 ? ', ' : ''}
                      <Link href={markerHref(b)} title={b.title}>
                        {METRIC_LABELS[b.metric]} ({b.side})
                      </Link>
                    </span>
                  ))}
                </p>
              )}
            </section>
          );
        }}
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

/** "▲ above usual range" on a card, the band in its title, linking to the metric's band chart. */
function BaselineMarker({ badge, href }: { badge: BaselineBadge; href: string }) {
  return (
    <Link
      href={href}
      title={badge.title}
      className={`baseline-marker baseline-${badge.side} severity-${badge.severity ?? 'none'}`}
    >
      <span className="baseline-marker-arrow" aria-hidden="true">
        {badge.side === 'above' ? '▲' : '▼'}
      </span>{' '}
      {badge.text}
    </Link>
  );
}
