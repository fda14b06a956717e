import { Link } from '../components/ui/link';
import { AlertsScreen } from '../features/alerts/components/alerts-screen';
import { BaselinesScreen } from '../features/baselines/components/baselines-screen';
import { CompareScreen } from '../features/compare/components/compare-screen';
import { CostScreen } from '../features/cost/components/cost-screen';
import { ErrorsScreen } from '../features/errors/components/errors-screen';
import { FilterBar } from '../features/filters/components/filter-bar';
import { IncidentsScreen } from '../features/incidents/components/incidents-screen';
import { OpenIncidentsBadge, useOpenIncidents } from '../features/incidents-summary/open-incidents';
import { LatencyScreen } from '../features/latency/components/latency-screen';
import { OverviewScreen } from '../features/overview/components/overview-screen';
import { QualityScreen } from '../features/quality/components/quality-screen';
import { SessionsScreen } from '../features/sessions/components/sessions-screen';
import { parseFilters } from '../lib/filters';
import { useSearch } from '../lib/router';
import { VIEW_LABELS, VIEWS, type View, viewHref } from '../lib/routes';

/** An agent's Production tabs under one filter bar. */
export function ProductionLayout({ agentId, view }: { agentId: string; view: View }) {
  const search = useSearch();
  const filters = parseFilters(search);
  const props = { agentId, filters };
  const open = useOpenIncidents();
  return (
    <main className="page">
      <div className="page-title">
        <h1>
          {agentId} <span className="muted">· Production</span>
        </h1>
        <OpenIncidentsBadge count={open?.get(agentId)} agentId={agentId} search={search} />
      </div>
      <nav className="tabs tabs-nav" aria-label="Production views">
        {VIEWS.map((v) => (
          <Link key={v} href={viewHref(search, agentId, v)} current={v === view}>
            {VIEW_LABELS[v]}
          </Link>
        ))}
      </nav>
      <FilterBar agentId={agentId} allowSlice={view !== 'baselines' && view !== 'alerts'} />
      <div data-view={view}>
        {view === 'overview' && <OverviewScreen {...props} />}
        {view === 'cost' && <CostScreen {...props} />}
        {view === 'errors' && <ErrorsScreen {...props} />}
        {view === 'latency' && <LatencyScreen {...props} />}
        {view === 'quality' && <QualityScreen {...props} />}
        {view === 'compare' && <CompareScreen {...props} />}
        {view === 'sessions' && <SessionsScreen {...props} />}
        {view === 'baselines' && <BaselinesScreen {...props} />}
        {view === 'incidents' && <IncidentsScreen {...props} />}
        {view === 'alerts' && <AlertsScreen {...props} />}
      </div>
    </main>
  );
}
