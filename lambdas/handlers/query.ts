import { gunzipSync } from 'node:zlib';
import { metricsQuery } from '../../contracts/metrics';
import { DomainError } from '../domain/errors';
import { credentialFrom, type Principal, requireAgent, requireScope } from '../domain/keys';
import { parseWindow, productionMetrics } from '../domain/metrics';
import type { StoredEvent } from '../domain/ports';
import { type HttpRequest, httpHandler, parseBody, router } from '../platform/http';
import type { HandlerDeps } from './deps';
import { eventView, sessionView } from './views';

const MAX_EVENTS_PER_SESSION = 10_000;

/** Read API: the seed's production metrics, sessions with their events, agents. */
export function createQueryRoutes(deps: HandlerDeps) {
  const principal = (req: HttpRequest): Promise<Principal> =>
    deps.auth.authenticate(credentialFrom(req.headers));

  const metrics = async (req: HttpRequest) => {
    const p = await principal(req);
    const agentId = req.params.agent_id!;
    requireAgent(p, agentId, 'read');
    const input = req.method === 'POST' ? { ...req.query, ...((req.json as object) ?? {}) } : req.query;
    const q = parseBody(metricsQuery, input);
    const { from, to } = parseWindow(q.start_date, q.end_date, deps.clock.now());
    const production =
      q.production === undefined || q.production === true || q.production === 'true'
        ? true
        : q.production === 'all'
          ? null
          : false;
    const body = await productionMetrics(deps.rollups, { agentId, from, to, production, groups: q.metrics });
    return {
      status: 200,
      body: { ...body, start_date: new Date(from).toISOString(), end_date: new Date(to).toISOString() },
    };
  };

  return router([
    { method: 'GET', pattern: '/api/agents/{agent_id}/production/metrics', handle: metrics },
    { method: 'POST', pattern: '/api/agents/{agent_id}/production/metrics', handle: metrics },
    {
      method: 'GET',
      pattern: '/api/agents',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const all = await deps.agents.list();
        const visible = all.filter((a) => p.agents === '*' || p.agents.includes(a.agentId));
        return {
          status: 200,
          body: {
            agents: visible.map((a) => ({
              agent_id: a.agentId,
              created_at: new Date(a.createdAt).toISOString(),
            })),
          },
        };
      },
    },
    {
      method: 'GET',
      pattern: '/api/sessions/{session_id}',
      handle: async (req) => {
        const p = await principal(req);
        const sessionId = req.params.session_id!;
        const agentId = req.query.agent_id ?? (await deps.sessions.locate(sessionId));
        if (!agentId) throw new DomainError('not-found', `session ${sessionId} not found`);
        requireAgent(p, agentId, 'read');
        const session = await deps.sessions.get(agentId, sessionId);
        if (!session) throw new DomainError('not-found', `session ${sessionId} not found`);
        const events: StoredEvent[] = [];
        let cursor: string | null = null;
        do {
          const page = await deps.events.listBySession(agentId, sessionId, cursor, 500);
          events.push(...page.items);
          cursor = page.cursor;
        } while (cursor && events.length < MAX_EVENTS_PER_SESSION);
        const views = await Promise.all(
          events.map(async (e) => {
            if (!e.payloadRef) return eventView(e, e.payload, false);
            const blob = await deps.blobs.get(e.payloadRef);
            return blob ? eventView(e, parseBlob(blob), false) : eventView(e, e.payload, true);
          }),
        );
        return { status: 200, body: { ...sessionView(session), events: views, truncated: cursor !== null } };
      },
    },
  ]);
}

function parseBlob(bytes: Uint8Array): unknown {
  let buf = Buffer.from(bytes);
  if (buf[0] === 0x1f && buf[1] === 0x8b) buf = gunzipSync(buf);
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    return buf.toString('utf8');
  }
}

export function createQueryHandler(deps: HandlerDeps) {
  return httpHandler(createQueryRoutes(deps), { logger: deps.logger, corsOrigins: deps.corsOrigins });
}
