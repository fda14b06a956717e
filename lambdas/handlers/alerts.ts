import type { z } from 'zod';
import {
  alertRuleBody,
  baselineListQuery,
  baselineSeriesQuery,
  baselineStatusQuery,
  channelBody,
  channelUpdateBody,
  incidentActionBody,
  incidentListQuery,
} from '../../contracts/alerts';
import type { Incident } from '../domain/alert-ports';
import { channelFromBody, newChannelId, updateChannel } from '../domain/alerts/channels';
import { acknowledgeIncident, type ManualAction, resolveIncident } from '../domain/alerts/manual';
import { evaluateRule, newRuleId, ruleFromBody, ruleSlice, ruleWindow } from '../domain/alerts/rules';
import { getIncident, judgeAgent, testChannel } from '../domain/alerts/service';
import { utcDate } from '../domain/baselines/hour-of-week';
import { baselineSeries, baselineView, metricStatusView } from '../domain/baselines/series';
import { latestBaselines } from '../domain/baselines/service';
import { DomainError, validationError } from '../domain/errors';
import { credentialFrom, type Principal, requireAgent, requireScope } from '../domain/keys';
import type { SessionSearch } from '../domain/ports';
import { parseQueryWindow } from '../domain/query/window';
import { parseTag } from '../domain/rollup';
import { type HttpRequest, type HttpResponse, httpHandler, parseBody, router } from '../platform/http';
import { type AlertDeps, awsAlertDeps } from './alert-deps';
import { channelView, incidentView, ruleView } from './alert-views';

const ok = (body: unknown, status = 200): HttpResponse => ({ status, body });
const DAY_MS = 86_400_000;
const iso = (ms: number) => new Date(ms).toISOString();

/** Parses a query string; an unknown parameter is a 400 naming it. */
function parseQuery<S extends z.ZodType>(schema: S, query: Record<string, string>): z.output<S> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  const unknown = Object.keys(query).find((k) => !(k in shape));
  if (unknown) {
    throw validationError(
      unknown,
      `is not a parameter of this endpoint (takes ${Object.keys(shape).join(', ')})`,
    );
  }
  return parseBody(schema, query);
}

/** Parses a JSON object body; a field the schema does not have is a 400 naming it. */
function parseStrictBody<S extends z.ZodType>(schema: S, json: unknown): z.output<S> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> }).shape ?? {};
  if (json !== null && typeof json === 'object' && !Array.isArray(json)) {
    const unknown = Object.keys(json).find((k) => !(k in shape));
    if (unknown) {
      throw validationError(unknown, `is not a field of this body (takes ${Object.keys(shape).join(', ')})`);
    }
  }
  return parseBody(schema, json);
}

/** Who acted, for audit fields: the API key id, or the dashboard user's JWT subject. */
const actorOf = (p: Principal): string => (p.keyId.startsWith('cognito:') ? p.keyId.slice(8) : p.keyId);

type Focus = 'cost' | 'tokens' | 'duration' | 'errors' | 'started_at';
/** Which sessions matter for an incident: by its family, or for a rule by the metric it watches. */
function focusOf(i: Incident): Focus {
  const m = i.trigger.metric.split('.')[0]!;
  if (i.family === 'errors' || /error/.test(m)) return 'errors';
  if (i.family === 'latency' || /duration|latency/.test(m)) return 'duration';
  if (i.family === 'volume' || /^(sessions|events|llm_calls)$/.test(m)) return 'started_at';
  if (m === 'tokens') return 'tokens';
  return 'cost';
}

/** Baselines, incidents, alert rules and channels. Reads need the read scope, changes the admin scope. */
export function createAlertRoutes(deps: AlertDeps) {
  const principal = (req: HttpRequest): Promise<Principal> =>
    deps.auth.authenticate(credentialFrom(req.headers));
  const now = () => deps.clock.now();
  const visible = (p: Principal, agentId: string) =>
    p.agents === '*' || agentId === '*' || p.agents.includes(agentId);
  const agentRead = async (req: HttpRequest) => {
    const p = await principal(req);
    const agentId = req.params.agent_id!;
    requireAgent(p, agentId, 'read');
    return agentId;
  };
  const admin = async (req: HttpRequest, agentId?: string) => {
    const p = await principal(req);
    requireScope(p, 'admin');
    if (agentId !== undefined && agentId !== '*') requireAgent(p, agentId, 'admin');
    if (agentId === '*' && p.agents !== '*') {
      throw new DomainError('forbidden', 'a rule for every agent ("*") needs a key for every agent');
    }
    return p;
  };
  const incidentProduction = async (i: Incident): Promise<boolean | 'all'> => {
    if (i.source === 'anomaly' || !i.ruleId) return deps.alertConfig.production;
    const rule = await deps.rules.get(i.ruleId);
    return rule ? rule.filters.production : deps.alertConfig.production;
  };
  const checkChannels = async (ids: string[]) => {
    const known = new Set((await deps.channels.list()).map((c) => c.channelId));
    ids.forEach((id, i) => {
      if (!known.has(id)) throw validationError(`channel_ids[${i}]`, `unknown channel "${id}"`);
    });
  };
  const getRule = async (ruleId: string) => {
    const rule = await deps.rules.get(ruleId);
    if (!rule) throw new DomainError('not-found', `alert rule ${ruleId} not found`);
    return rule;
  };
  const getChannel = async (channelId: string) => {
    const channel = await deps.channels.get(channelId);
    if (!channel) throw new DomainError('not-found', `channel ${channelId} not found`);
    return channel;
  };

  /** acknowledge / resolve: admin scope on the agent, then the incident (404 when not this agent's). */
  const manual =
    (act: (deps: AlertDeps, a: ManualAction) => Promise<Incident>) => async (req: HttpRequest) => {
      const agentId = req.params.agent_id!;
      const p = await principal(req);
      requireAgent(p, agentId, 'admin');
      const body = parseStrictBody(incidentActionBody, req.json ?? {});
      const note = body.note?.trim() || null;
      const i = await act(deps, { agentId, incidentId: req.params.incident_id!, by: actorOf(p), note });
      return ok(incidentView(i, now(), await incidentProduction(i)));
    };

  const A = '/api/agents/{agent_id}';
  return router([
    {
      method: 'GET',
      pattern: `${A}/baselines`,
      handle: async (req) => {
        const agentId = await agentRead(req);
        const q = parseQuery(baselineListQuery, req.query);
        const w = parseQueryWindow(q, now(), '14d');
        const list = await deps.baselines.list({
          agentId,
          production: deps.alertConfig.production,
          fromDate: utcDate(w.from),
          toDate: utcDate(w.to - 1),
          slice: q.slice,
        });
        return ok({ agent_id: agentId, baselines: list.map(baselineView) });
      },
    },
    {
      method: 'GET',
      pattern: `${A}/baselines/series`,
      handle: async (req) => {
        const agentId = await agentRead(req);
        const q = parseQuery(baselineSeriesQuery, req.query);
        const w = parseQueryWindow(q, now(), '7d');
        if (w.to - w.from > 31 * DAY_MS) throw validationError('from', 'window must be at most 31 days');
        return ok(await baselineSeries(deps, { agentId, slice: q.slice, metrics: q.metric, ...w }));
      },
    },
    {
      method: 'GET',
      pattern: `${A}/baselines/status`,
      handle: async (req) => {
        const agentId = await agentRead(req);
        const q = parseQuery(baselineStatusQuery, req.query);
        const at = now();
        const baselines = await latestBaselines(deps, agentId, at, q.slice);
        const judgements = await judgeAgent(deps, agentId, baselines, at, q.slice);
        const b = baselines.get(q.slice) ?? null;
        return ok({
          agent_id: agentId,
          slice: q.slice,
          at: iso(at),
          baseline: b
            ? {
                date: b.date,
                status: b.status,
                warmup_ends_at: b.warmupEndsAt === null ? null : iso(b.warmupEndsAt),
              }
            : null,
          metrics: judgements.map(metricStatusView),
          open_incidents: (await deps.incidents.listOpen(agentId)).length,
        });
      },
    },
    {
      method: 'GET',
      pattern: `${A}/incidents`,
      handle: async (req) => {
        const agentId = await agentRead(req);
        const q = parseQuery(incidentListQuery, req.query);
        const w = q.from || q.to || q.range ? parseQueryWindow(q, now()) : null;
        const page = await deps.incidents.list(
          {
            agentId,
            status: q.status === 'all' ? undefined : q.status,
            source: q.source === 'all' ? undefined : q.source,
            from: w?.from,
            to: w?.to,
          },
          q.cursor ?? null,
          q.limit,
        );
        const at = now();
        const items = [];
        for (const i of page.items) items.push(incidentView(i, at, await incidentProduction(i)));
        return ok({ incidents: items, cursor: page.cursor });
      },
    },
    {
      method: 'GET',
      pattern: `${A}/incidents/{incident_id}`,
      handle: async (req) => {
        const agentId = await agentRead(req);
        const i = await getIncident(deps, agentId, req.params.incident_id!);
        const production = await incidentProduction(i);
        return ok({
          ...incidentView(i, now(), production),
          top_sessions: await topSessions(deps, i, production),
        });
      },
    },
    {
      method: 'POST',
      pattern: `${A}/incidents/{incident_id}/acknowledge`,
      handle: manual(acknowledgeIncident),
    },
    { method: 'POST', pattern: `${A}/incidents/{incident_id}/resolve`, handle: manual(resolveIncident) },
    {
      method: 'GET',
      pattern: '/api/incidents',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const q = parseQuery(incidentListQuery.pick({ status: true, limit: true }), req.query);
        const at = now();
        const agents = (await deps.agents.list()).map((a) => a.agentId).filter((a) => visible(p, a));
        const found: Incident[] =
          q.status === 'open'
            ? (await deps.incidents.listOpen(null)).filter((i) => visible(p, i.agentId))
            : (
                await Promise.all(
                  agents.map(
                    async (agentId) =>
                      (
                        await deps.incidents.list(
                          { agentId, status: q.status === 'all' ? undefined : q.status },
                          null,
                          q.limit,
                        )
                      ).items,
                  ),
                )
              ).flat();
        found.sort((a, b) => (a.incidentId < b.incidentId ? 1 : -1));
        const items = [];
        for (const i of found.slice(0, q.limit)) items.push(incidentView(i, at, await incidentProduction(i)));
        return ok({ incidents: items, cursor: null });
      },
    },
    {
      method: 'GET',
      pattern: '/api/alert-rules',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const rules = (await deps.rules.list()).filter((r) => visible(p, r.agentId));
        return ok({ rules: rules.map(ruleView) });
      },
    },
    {
      method: 'POST',
      pattern: '/api/alert-rules/preview',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const body = parseBody(alertRuleBody, req.json ?? {});
        const at = now();
        const rule = ruleFromBody(body, 'preview', at);
        const agents =
          rule.agentId === '*'
            ? (await deps.agents.list()).map((a) => a.agentId).filter((a) => visible(p, a))
            : [rule.agentId];
        if (rule.agentId !== '*') requireAgent(p, rule.agentId, 'read');
        const { slice, production } = ruleSlice(rule.filters);
        const { fromHour, toHour } = ruleWindow(rule, at);
        const results = [];
        for (const agentId of agents) {
          const e = evaluateRule(
            rule,
            agentId,
            await deps.rollups.query(agentId, production, slice, fromHour, toHour),
            at,
          );
          results.push({
            agent_id: agentId,
            value: e.value,
            volume: e.volume,
            window: { from: iso(e.windowFrom), to: iso(e.windowTo) },
            severity: e.severity,
            no_data: e.noData,
          });
        }
        const { rule_id: _id, created_at: _c, updated_at: _u, ...view } = ruleView(rule);
        return ok({ rule: view, at: iso(at), results });
      },
    },
    {
      method: 'POST',
      pattern: '/api/alert-rules',
      handle: async (req) => {
        const body = parseBody(alertRuleBody, req.json ?? {});
        await admin(req, body.agent_id);
        await checkChannels(body.channel_ids);
        const rule = ruleFromBody(body, newRuleId(), now());
        await deps.rules.put(rule);
        return ok(ruleView(rule), 201);
      },
    },
    {
      method: 'GET',
      pattern: '/api/alert-rules/{rule_id}',
      handle: async (req) => {
        const p = await principal(req);
        requireScope(p, 'read');
        const rule = await getRule(req.params.rule_id!);
        if (!visible(p, rule.agentId))
          throw new DomainError('not-found', `alert rule ${rule.ruleId} not found`);
        return ok(ruleView(rule));
      },
    },
    {
      method: 'PUT',
      pattern: '/api/alert-rules/{rule_id}',
      handle: async (req) => {
        const body = parseBody(alertRuleBody, req.json ?? {});
        const existing = await getRule(req.params.rule_id!);
        await admin(req, existing.agentId);
        await admin(req, body.agent_id);
        await checkChannels(body.channel_ids);
        const rule = ruleFromBody(body, existing.ruleId, now(), existing.createdAt);
        await deps.rules.put(rule);
        return ok(ruleView(rule));
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/alert-rules/{rule_id}',
      handle: async (req) => {
        const existing = await getRule(req.params.rule_id!);
        await admin(req, existing.agentId);
        await deps.rules.delete(existing.ruleId);
        return ok({ rule_id: existing.ruleId, deleted: true });
      },
    },
    {
      method: 'GET',
      pattern: '/api/channels',
      handle: async (req) => {
        requireScope(await principal(req), 'read');
        return ok({ channels: (await deps.channels.list()).map(channelView) });
      },
    },
    {
      method: 'POST',
      pattern: '/api/channels',
      handle: async (req) => {
        await admin(req);
        const body = parseBody(channelBody, req.json ?? {});
        const channel = channelFromBody(body, newChannelId(), now());
        await deps.channels.put(channel);
        return ok(channelView(channel), 201);
      },
    },
    {
      method: 'GET',
      pattern: '/api/channels/{channel_id}',
      handle: async (req) => {
        requireScope(await principal(req), 'read');
        return ok(channelView(await getChannel(req.params.channel_id!)));
      },
    },
    {
      method: 'PUT',
      pattern: '/api/channels/{channel_id}',
      handle: async (req) => {
        await admin(req);
        const body = parseBody(channelUpdateBody, req.json ?? {});
        const channel = updateChannel(await getChannel(req.params.channel_id!), body, now());
        await deps.channels.put(channel);
        return ok(channelView(channel));
      },
    },
    {
      method: 'DELETE',
      pattern: '/api/channels/{channel_id}',
      handle: async (req) => {
        await admin(req);
        const channel = await getChannel(req.params.channel_id!);
        await deps.channels.delete(channel.channelId);
        return ok({ channel_id: channel.channelId, deleted: true });
      },
    },
    {
      method: 'POST',
      pattern: '/api/channels/{channel_id}/test',
      handle: async (req) => {
        await admin(req);
        const channel = await getChannel(req.params.channel_id!);
        const r = await testChannel(deps, channel);
        return ok({ channel_id: channel.channelId, ...r });
      },
    },
  ]);
}

/** The sessions of an incident's window that matter most for it (costliest, slowest, failing). */
async function topSessions(deps: AlertDeps, i: Incident, production: boolean | 'all') {
  if (!deps.sessions.search) return [];
  const slice = i.trigger.slice;
  const tag = slice.startsWith('tag:') ? parseTag(slice.slice(4)) : null;
  const search: SessionSearch = {
    agentId: i.agentId,
    from: i.windowFrom,
    to: Math.max(i.windowTo ?? deps.clock.now(), i.windowFrom + 1),
    production: production === 'all' ? null : production,
    tags: tag ? [tag] : [],
    experimentId: slice.startsWith('exp:') ? slice.slice(4) : null,
    model: slice.startsWith('model:') ? slice.slice(6) : null,
    eventType: null,
    errorCategory: null,
    fingerprint: null,
    status: null,
    hasError: focusOf(i) === 'errors' ? true : null,
    minCostUsd: null,
    sort: focusOf(i),
    order: 'desc',
  };
  const page = await deps.sessions.search(search, null, 5);
  return page.items.map((s) => {
    const end = s.endedAt ?? s.totals.lastEventEndAt;
    return {
      session_id: s.sessionId,
      started_at: iso(s.startedAt),
      status: s.status,
      cost_usd: Math.round(s.totals.costUsd * 1e9) / 1e9,
      duration_ms:
        end === null ? null : Math.max(0, end - Math.min(s.startedAt, s.totals.firstEventAt ?? s.startedAt)),
      errors: s.totals.errors,
      tokens: s.totals.inputTokens + s.totals.outputTokens,
    };
  });
}

export function createAlertsHandler(deps: AlertDeps) {
  return httpHandler(createAlertRoutes(deps), { logger: deps.logger, corsOrigins: deps.corsOrigins });
}

let alertsLambda: ReturnType<typeof createAlertsHandler> | undefined;

/** Lambda entry point: baselines, incidents, alert rules and channels. */
export const handler: ReturnType<typeof createAlertsHandler> = ((event, context) => {
  alertsLambda ??= createAlertsHandler(awsAlertDeps());
  return alertsLambda(event, context);
}) as ReturnType<typeof createAlertsHandler>;
