import * as F from './fixtures';

/** A fake query API for screen tests: answers from fixtures by path, records every request. */

export type Handler = (url: URL) => unknown | Response;

export interface FakeApi {
  fetch: typeof fetch;
  requests: URL[];
  /** Requests whose path ends with `suffix`. */
  calls(suffix: string): URL[];
}

export const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

/** A handler's answer: a Response as it is, anything else as JSON. */
const answer = (out: unknown) => (out instanceof Response ? out : json(out));

export const DEFAULT_ROUTES: Record<string, Handler> = {
  '/api/agents/summary': () => F.agentsSummary(),
  '/api/agents': () => ({
    agents: [
      { agent_id: 'support-bot', created_at: '2026-11-01T00:00:00.000Z' },
      { agent_id: 'research-agent', created_at: '2026-11-01T00:00:00.000Z' },
    ],
  }),
  '/api/prices': () => F.prices(),
  '/overview': () => F.overview(),
  '/cost/series': (u) => (u.searchParams.get('from')?.endsWith('-01') ? F.monthSeries() : F.costSeries()),
  '/cost/models': (u) => F.costModels(u.searchParams.get('alternative')),
  '/percentiles': () => F.percentiles(),
  '/breakdown': (u) =>
    u.searchParams.get('by') === 'experiment' ? F.breakdownByExperiment() : F.breakdownByModel(),
  '/latency': () => F.latency(),
  '/errors/series': () => F.errorSeries(),
  '/errors/groups': (u) => (u.searchParams.get('cursor') ? F.errorGroups(null, 'more') : F.errorGroups('c1')),
  '/quality': (u) => F.quality(u.searchParams.get('by')),
  '/compare': (u) => F.compare((u.searchParams.get('mode') ?? 'previous') as 'previous'),
  '/sessions/top': () => F.topSessions(),
  '/sessions': () => F.sessionList(),
  '/sessions/export': () =>
    new Response('session_id\n', {
      headers: {
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="support-bot-sessions.csv"',
      },
    }),
};

/** Routes match the longest suffix of the path; `/sessions/<id>` and its export are recognised by shape. */
export function fakeApi(overrides: Record<string, Handler> = {}): FakeApi {
  const routes = { ...DEFAULT_ROUTES, ...overrides };
  const requests: URL[] = [];
  const suffixes = Object.keys(routes).sort((a, b) => b.length - a.length);
  const fetchImpl = (async (input: RequestInfo | URL) => {
    const url = new URL(String(input), 'http://localhost');
    requests.push(url);
    const path = url.pathname;
    let handler: Handler | undefined;
    if (/\/sessions\/[^/]+\/export$/.test(path) && !path.endsWith('/sessions/export')) {
      handler =
        routes['/session-export'] ??
        ((u) =>
          u.searchParams.get('format') === 'csv'
            ? new Response('event_id\n', {
                headers: {
                  'content-type': 'text/csv',
                  'content-disposition': 'attachment; filename="demo-000001-events.csv"',
                },
              })
            : F.sessionDetail());
    } else if (/\/sessions\/(?!top$|export$)[^/]+$/.test(path)) {
      handler = routes['/session'] ?? (() => F.sessionDetail());
    } else {
      const suffix = suffixes.find(
        (s) => path === s || (s.startsWith('/') && !s.startsWith('/api/') && path.endsWith(s)),
      );
      handler = suffix ? routes[suffix] : undefined;
    }
    if (!handler) return json({ error: 'not-found', detail: `no fake for ${path}` }, 404);
    return answer(handler(url));
  }) as typeof fetch;
  return {
    fetch: fetchImpl,
    requests,
    calls: (suffix) => requests.filter((u) => u.pathname.endsWith(suffix)),
  };
}

/** A request as the recording fake saw it (JSON bodies parsed). */
export interface Req {
  method: string;
  url: URL;
  body: unknown;
}
export type Route = (req: Req) => unknown;

/**
 * A fake API for screens that change things: routes by `METHOD /path` (or `find` for paths with ids),
 * answers objects as JSON and Responses as they are, records method, URL and body of every request, and
 * leaves anything else to `fakeApi()`.
 */
export function recordingApi(routes: Record<string, Route>, find?: (req: Req) => Route | undefined) {
  const requests: Req[] = [];
  const fallthrough = fakeApi();
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://localhost');
    const method = init?.method ?? 'GET';
    const body = typeof init?.body === 'string' ? JSON.parse(init.body) : undefined;
    const req = { method, url, body };
    requests.push(req);
    const route = routes[`${method} ${url.pathname}`] ?? find?.(req);
    if (!route) return fallthrough.fetch(input, init);
    return answer(route(req));
  }) as typeof fetch;
  return {
    fetch: fetchImpl,
    requests,
    /** Every request that is not a GET. */
    changes: () => requests.filter((r) => r.method !== 'GET'),
    calls: (method: string, suffix: string) =>
      requests.filter((r) => r.method === method && r.url.pathname.endsWith(suffix)),
  };
}
