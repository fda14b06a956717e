import type { Filters } from '../../../lib/filters';

/** Placeholder until the screen is built. */
export function AlertsScreen({ agentId }: { agentId: string; filters: Filters }) {
  return <p className="muted">Alerts for {agentId}: not built yet.</p>;
}
