import { withParams } from './router';

/** The screens, read from the query string. */
export const VIEWS = [
  'overview',
  'cost',
  'errors',
  'latency',
  'quality',
  'compare',
  'sessions',
  'baselines',
  'incidents',
  'alerts',
] as const;
export type View = (typeof VIEWS)[number];

export const VIEW_LABELS: Record<View, string> = {
  overview: 'Overview',
  cost: 'Cost',
  errors: 'Errors',
  latency: 'Latency',
  quality: 'Quality',
  compare: 'Compare',
  sessions: 'Sessions',
  baselines: 'Baselines',
  incidents: 'Incidents',
  alerts: 'Alert rules',
};

export type Route =
  | { name: 'agents' }
  | { name: 'agent'; agentId: string; view: View }
  | { name: 'session'; agentId: string; sessionId: string; view: View };

/** Query-string keys of the shared filter bar; they survive moving between tabs and into a session. */
export const FILTER_KEYS = ['range', 'from', 'to', 'tag', 'model', 'production'] as const;
const KEEP = ['agent', 'view', ...FILTER_KEYS] as const;

export function parseRoute(search: string): Route {
  const sp = new URLSearchParams(search);
  const agentId = sp.get('agent');
  if (!agentId) return { name: 'agents' };
  const v = sp.get('view');
  const view: View = (VIEWS as readonly string[]).includes(v ?? '') ? (v as View) : 'overview';
  const sessionId = sp.get('session');
  if (sessionId) return { name: 'session', agentId, sessionId, view };
  return { name: 'agent', agentId, view };
}

export const agentsHref = (): string => '?';

/** A tab of an agent, keeping the shared filters and dropping tab-specific parameters. */
export function viewHref(
  search: string,
  agentId: string,
  view: View,
  extra: Record<string, string> = {},
): string {
  const current = new URLSearchParams(search).get('agent');
  const keep = current === agentId ? KEEP : (['production'] as const);
  return withParams(search, { agent: agentId, view: view === 'overview' ? null : view, ...extra }, keep);
}

/** A session's deep dive, keeping the tab and filters it was opened from (its back link). */
export function sessionHref(search: string, agentId: string, sessionId: string): string {
  const current = new URLSearchParams(search).get('agent');
  return withParams(search, { agent: agentId, session: sessionId }, current === agentId ? KEEP : []);
}
