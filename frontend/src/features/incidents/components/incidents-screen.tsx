import type { Filters } from '../../../lib/filters';

/** Placeholder until the screen is built. */
export function IncidentsScreen({ agentId }: { agentId: string; filters: Filters }) {
  return <p className="muted">Incidents for {agentId}: not built yet.</p>;
}
