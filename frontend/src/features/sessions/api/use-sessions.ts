import { toQueryString } from '../../../lib/api-client';
import type { Filters } from '../../../lib/filters';
import { useApi } from '../../../lib/use-api';
import { usePagedApi } from '../../../lib/use-paged-api';
import { type ListState, listParams } from '../lib/session-list';

export function useSessionList(agentId: string, f: Filters, s: ListState) {
  const params = listParams(f, s);
  return usePagedApi(`sessions|${agentId}|${toQueryString(params)}`, (c, cursor, signal) =>
    c.sessions(agentId, { ...params, limit: 50, ...(cursor ? { cursor } : {}) }, signal),
  );
}

export function useSession(agentId: string, sessionId: string) {
  return useApi(`session|${agentId}|${sessionId}`, (c, s) => c.session(agentId, sessionId, s));
}
