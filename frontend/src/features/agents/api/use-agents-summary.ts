import { useApi } from '../../../lib/use-api';

/** Every agent the key may read, with the last 24 h against the 24 h before. */
export const useAgentsSummary = () =>
  useApi('agents-summary|24h', (c, signal) => c.agentsSummary({ range: '24h' }, signal));
