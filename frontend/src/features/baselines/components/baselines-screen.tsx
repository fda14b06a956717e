import type { Filters } from '../../../lib/filters';

/** Placeholder until the screen is built. */
export function BaselinesScreen({ agentId }: { agentId: string; filters: Filters }) {
  return <p className="muted">Baselines for {agentId}: not built yet.</p>;
}
