import type { z } from 'zod';
import { metricsQuery } from '../../contracts/metrics';
import {
  agentsSummaryQuery,
  aggregateQuery,
  breakdownQuery,
  compareQuery,
  costModelsQuery,
  errorGroupsQuery,
  qualityQuery,
  seriesQuery,
  sessionExportQuery,
  sessionListExportQuery,
  sessionListQuery,
  topSessionsQuery,
} from '../../contracts/query-api';
import { DomainError } from '../domain/errors';
import { credentialFrom, type Principal, requireAgent, requireScope } from '../domain/keys';
import { parseWindow, productionMetrics } from '../domain/metrics';
import {
  agentsSummary,
  breakdown,
  compare,
  costByModel,
  costSeries,
  errorSeries,
  latency,
  overview,
  percentiles,
} from '../domain/query/aggregates';
import { parseProduction, sliceIfAny, toFilter } from '../domain/query/filters';
import { quality } from '../domain/query/quality';
import {
  errorGroups,
  exportSessions,
  listSessions,
  loadSessionEvents,
  sessionDetail,
  sessionEventsCsv,
  sessionsCsv,
  topSessions,
  toSessionSearch,
} from '../domain/query/sessions';
import { parseQueryWindow, windowView } from '../domain/query/window';
import { type HttpRequest, type HttpResponse, httpHandler, parseBody, router } from '../platform/http';
import { awsDeps } from './aws-deps';
import type { HandlerDeps } from './deps';
import { eventView, sessionView } from './views';

const ok = (body: unknown): HttpResponse => ({ status: 200, body });
const csv = (text: string, filename: string): HttpResponse => ({
  status: 200,
  text,
  headers: {
    'content-type': 'text/csv; charset=utf-8',
    // Ids are client-chosen: keep the header plain.
    'content-disposition': `attachment; filename="${filename.replace(/[^\w.-]/g, '_')}"`,
  },
});

/** Read API: the seed's production metrics, the dashboard's query API, sessions, agents, prices. */
export function createQueryRoutes(deps: HandlerDeps) {
  const principal = (req: HttpRequest): Promise<Principal> =>
    deps.auth.authenticate(credentialFrom(req.headers));
  const now = () => deps.clock.now();

  /** Authenticates (read scope, this agent), parses the query string, and resolves window and filter. */
  const agentRead = async <S extends z.ZodType>(req: HttpRequest, schema: S) => {
    const p = await principal(req);
    const agentId = req.params.agent_id!;
    requireAgent(p, agentId, 'read');
    const q = parseQuery(schema, req.query) as z.output<S> &
      Parameters<typeof toFilter>[0] & {
        from?: string;
        to?: string;
        range?: string;
      };
    const window = parseQueryWindow(q, now());
    const filter = toFilter(q);
    return { agentId, q, window, filter, scope: { agentId, window, filter } };
  };

  const metrics = async (req: HttpRequest) => {
    const p = await principal(req);
    const agentId = req.params.agent_id!;
    requireAgent(p, agentId, 'read');
    const input = req.method === 'POST' ? { ...req.query, ...((req.json as object) ?? {}) } : req.query;
    const q = parseBody(metricsQuery, input);
    const { from, to } = parseWindow(q.start_date, q.end_date, now());
    const production =
      q.production === undefined || q.production === true || q.production === 'true'
        ? true
        : q.production === 'all'
          ? null
          : false;
    const body = await productionMetrics(deps.rollups, { agentId, from, to, production, groups: q.metrics });
    return ok({ ...body, start_date: new Date(from).toISOString(), end_date: new Date(to).toISOString() });
  };

  const A = '/api/agents/{agent_id}';
  return router([
    { method: 'GET', pattern: `${A}/production/metrics`, handle: metrics },
    { method: 'POST', pattern: `${A}/production/metrics`, handle: metrics },
    {
      method: 'GET',
      pattern: '/api/agents',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const visible = (await deps.agents.list()).filter(
          (a) => p.agents === '*' || p.agents.includes(a.agentId),
        );
        return ok({
          agents: visible.map((a) => ({
            agent_id: a.agentId,
            created_at: new Date(a.createdAt).toISOString(),
          })),
        });
      },
    },
    {
      method: 'GET',
      pattern: '/api/agents/summary',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const q = parseQuery(agentsSummaryQuery, req.query);
        const w = parseQueryWindow(q, now(), '24h');
        const visible = (id: string) => p.agents === '*' || p.agents.includes(id);
        return ok(await agentsSummary(deps.rollups, deps.agents, visible, w, parseProduction(q.production)));
      },
    },
    {
      method: 'GET',
      pattern: '/api/prices',
      handle: async (req) => {
        requireScope(await principal(req), 'read');
        const at = now();
        return ok({
          at: new Date(at).toISOString(),
          models: deps.prices.listModels(at).map((m) => ({
            provider: m.provider,
            model: m.model,
            input_per_mtok: m.inputPerMTok,
            output_per_mtok: m.outputPerMTok,
            cached_input_per_mtok: m.cachedInputPerMTok,
            reasoning_per_mtok: m.reasoningPerMTok,
          })),
        });
      },
    },
    {
      method: 'GET',
      pattern: `${A}/overview`,
      handle: async (req) => ok(await overview(deps.rollups, (await agentRead(req, aggregateQuery)).scope)),
    },
    {
      method: 'GET',
      pattern: `${A}/cost/series`,
      handle: async (req) => {
        const r = await agentRead(req, seriesQuery);
        return ok(await costSeries(deps.rollups, r.scope, r.q.bucket, now()));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/cost/models`,
      handle: async (req) => {
        const r = await agentRead(req, costModelsQuery);
        const prices = deps.agentPrices ? await deps.agentPrices.forAgent(r.agentId) : deps.prices;
        return ok(await costByModel(deps.rollups, prices, r.scope, r.q.alternative, now()));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/percentiles`,
      handle: async (req) =>
        ok(await percentiles(deps.rollups, (await agentRead(req, aggregateQuery)).scope)),
    },
    {
      method: 'GET',
      pattern: `${A}/breakdown`,
      handle: async (req) => {
        const r = await agentRead(req, breakdownQuery);
        return ok(await breakdown(deps.rollups, r.agentId, r.window, r.filter.production, r.q.by));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/latency`,
      handle: async (req) => {
        const r = await agentRead(req, seriesQuery);
        return ok(await latency(deps.rollups, r.scope, r.q.bucket));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/errors/series`,
      handle: async (req) => {
        const r = await agentRead(req, seriesQuery);
        return ok(await errorSeries(deps.rollups, r.scope, r.q.bucket));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/errors/groups`,
      handle: async (req) => {
        const r = await agentRead(req, errorGroupsQuery);
        return ok(
          await errorGroups(deps.events, r.agentId, r.window, r.filter, r.q.cursor ?? null, r.q.limit),
        );
      },
    },
    {
      method: 'GET',
      pattern: `${A}/quality`,
      handle: async (req) => {
        const r = await agentRead(req, qualityQuery);
        return ok(await quality(deps, r.scope, r.q.bucket, r.q.by));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/compare`,
      handle: async (req) => {
        const r = await agentRead(req, compareQuery);
        const baseline = (from: string | undefined, to: string | undefined) => {
          try {
            return parseQueryWindow({ from, to }, now());
          } catch (e) {
            throw e instanceof DomainError
              ? new DomainError('validation', `baseline_${e.message}`, { field: `baseline_${e.field}` })
              : e;
          }
        };
        return ok(await compare(deps.rollups, r.scope, r.q, baseline));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/sessions/top`,
      handle: async (req) => {
        const r = await agentRead(req, topSessionsQuery);
        const search = toSessionSearch(r.agentId, r.window, r.filter, { sort: r.q.by, order: 'desc' });
        return ok(await topSessions(deps, search, sliceIfAny(r.filter), r.q.by, r.q.limit));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/sessions/export`,
      handle: async (req) => {
        const r = await agentRead(req, sessionListExportQuery);
        const search = toSessionSearch(r.agentId, r.window, r.filter, sessionOptions(r.q));
        const { rows, truncated } = await exportSessions(deps.sessions, search, r.q.limit);
        if (r.q.format === 'csv') {
          const res = csv(sessionsCsv(rows), `${r.agentId}-sessions.csv`);
          return { ...res, headers: { ...res.headers, 'x-vigil-truncated': String(truncated) } };
        }
        return ok({ agent_id: r.agentId, window: windowView(r.window), sessions: rows, truncated });
      },
    },
    {
      method: 'GET',
      pattern: `${A}/sessions`,
      handle: async (req) => {
        const r = await agentRead(req, sessionListQuery);
        const search = toSessionSearch(r.agentId, r.window, r.filter, sessionOptions(r.q));
        return ok(await listSessions(deps.sessions, search, r.q.cursor ?? null, r.q.limit));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/sessions/{session_id}/export`,
      handle: async (req) => {
        const p = await principal(req);
        const agentId = req.params.agent_id!;
        requireAgent(p, agentId, 'read');
        const q = parseQuery(sessionExportQuery, req.query);
        const detail = await sessionDetail(deps, agentId, req.params.session_id!);
        return q.format === 'csv'
          ? csv(sessionEventsCsv(detail), `${detail.session.session_id}-events.csv`)
          : ok(detail);
      },
    },
    {
      method: 'GET',
      pattern: `${A}/sessions/{session_id}`,
      handle: async (req) => {
        const p = await principal(req);
        const agentId = req.params.agent_id!;
        requireAgent(p, agentId, 'read');
        return ok(await sessionDetail(deps, agentId, req.params.session_id!));
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
        const { events, truncated } = await loadSessionEvents(deps, agentId, sessionId);
        return ok({
          ...sessionView(session),
          events: events.map((e) => eventView(e.event, e.payload, e.pending)),
          truncated,
        });
      },
    },
  ]);
}

/** Parses a query string; an unknown parameter is a 400 naming it (strict schemas would only say "(body)"). */
function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.output<S> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const unknown = Object.keys(query).find((k) => !(k in shape));
  if (unknown) {
    throw new DomainError(
      'validation',
      `${unknown}: is not a parameter of this endpoint (takes ${Object.keys(shape).join(', ')})`,
      {
        field: unknown,
      },
    );
  }
  return parseBody(schema, query);
}

function sessionOptions(q: {
  status?: 'running' | 'finished';
  has_error?: 'true' | 'false';
  fingerprint?: string;
  min_cost?: number;
  sort: 'started_at' | 'cost' | 'duration' | 'errors' | 'tokens' | 'events';
  order: 'asc' | 'desc';
}) {
  return {
    status: q.status,
    hasError: q.has_error === undefined ? undefined : q.has_error === 'true',
    fingerprint: q.fingerprint,
    minCostUsd: q.min_cost,
    sort: q.sort,
    order: q.order,
  };
}

export function createQueryHandler(deps: HandlerDeps) {
  return httpHandler(createQueryRoutes(deps), { logger: deps.logger, corsOrigins: deps.corsOrigins });
}

let queryLambda: ReturnType<typeof createQueryHandler> | undefined;

/** Lambda entry point (API Gateway HTTP API, payload v2): every read route. */
export const handler: ReturnType<typeof createQueryHandler> = ((event, context) => {
  queryLambda ??= createQueryHandler(awsDeps());
  return queryLambda(event, context);
}) as ReturnType<typeof createQueryHandler>;
