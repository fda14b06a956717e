import type { AgentsSummaryResponse } from '../../../../../contracts/query-api';
import { relativeChange, type Tone, toneOf } from '../../../lib/change';
import { formatChangePct, formatChangePp, formatCount, formatPct, formatUsd } from '../../../lib/format';

export interface AgentRow {
  agentId: string;
  sessions: string;
  sessionsChange: string | null;
  cost: string;
  costChange: string | null;
  costTone: Tone;
  errorRate: string;
  errorRateChange: string | null;
  errorTone: Tone;
  errors: number;
  costUsd: number;
}

/** One row per agent, most expensive first, each figure with its change against the previous 24 h. */
export function prepareAgentRows(summary: AgentsSummaryResponse): AgentRow[] {
  return summary.agents
    .map((a) => {
      const sessionsChange = relativeChange(a.sessions, a.previous.sessions);
      const costChange = relativeChange(a.cost_usd, a.previous.cost_usd);
      const errChange =
        a.error_rate === null || a.previous.error_rate === null ? null : a.error_rate - a.previous.error_rate;
      return {
        agentId: a.agent_id,
        sessions: formatCount(a.sessions),
        sessionsChange: sessionsChange === null ? null : formatChangePct(sessionsChange),
        cost: formatUsd(a.cost_usd),
        costChange: costChange === null ? null : formatChangePct(costChange),
        costTone: toneOf(costChange, 'up-bad', 0.1),
        errorRate: formatPct(a.error_rate),
        errorRateChange: errChange === null ? null : formatChangePp(errChange),
        errorTone: toneOf(errChange, 'up-bad', 0.005),
        errors: a.errors,
        costUsd: a.cost_usd,
      };
    })
    .sort((x, y) => y.costUsd - x.costUsd || x.agentId.localeCompare(y.agentId));
}
