import { randomUUID } from 'node:crypto';
import { evalBody, eventBody, initSessionBody, updateSessionBody } from '../../contracts/lucidic';
import { batchBody, batchEvent, batchSession, type ItemResult } from '../../contracts/native';
import type { DraftEvent } from '../domain/enrich';
import { DomainError, isDomainError, validationError } from '../domain/errors';
import { addSessionEval, ingestEvents, payloadKey, type SessionRef, upsertSession } from '../domain/ingest';
import { credentialFrom, type Principal, requireAgent } from '../domain/keys';
import { fromEval, fromEvent, fromInitSession, fromUpdateSession } from '../domain/translate/lucidic';
import { fromBatchEvent, fromBatchSession } from '../domain/translate/native';
import { type HttpRequest, type HttpResponse, httpHandler, parseBody, router } from '../platform/http';
import { awsDeps } from './aws-deps';
import type { HandlerDeps } from './deps';
import { createOtlpTraceRoute } from './otlp';
import { AgentResolver } from './resolve-agent';

const BLOB_URL_TTL_MS = 3_600_000;

/** Every ingest format on one Lambda: Lucidic wire protocol, the Vigil batch API, OTLP, blob uploads. */
export function createIngestRoutes(deps: HandlerDeps) {
  const agents = new AgentResolver(deps.sessions);
  const principal = (req: HttpRequest): Promise<Principal> =>
    deps.auth.authenticate(credentialFrom(req.headers));
  const now = () => deps.clock.now();

  return router([
    {
      method: 'POST',
      pattern: '/api/initsession',
      handle: async (req) => {
        const p = await principal(req);
        const body = parseBody(initSessionBody, req.json ?? {});
        const agentId =
          body.agent_id ??
          req.headers['x-agent-id'] ??
          (p.agents !== '*' && p.agents.length === 1 ? p.agents[0] : undefined);
        if (!agentId) throw validationError('agent_id', 'is required');
        requireAgent(p, agentId, 'ingest');
        const sessionId = body.session_id ?? randomUUID();
        const { created } = await upsertSession(deps, fromInitSession(body, agentId, sessionId, now()));
        agents.remember(sessionId, agentId);
        return { status: created ? 201 : 200, body: { session_id: sessionId, agent_id: agentId, created } };
      },
    },
    {
      method: 'PUT',
      pattern: '/api/updatesession',
      handle: async (req) => {
        const p = await principal(req);
        const body = parseBody(updateSessionBody, req.json ?? {});
        const agentId = await agents.resolve(body.session_id, req.headers['x-agent-id'], p);
        requireAgent(p, agentId, 'ingest');
        await upsertSession(deps, fromUpdateSession(body, agentId, now()));
        return { status: 200, body: { session_id: body.session_id, agent_id: agentId } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/events',
      handle: async (req) => {
        const p = await principal(req);
        const body = parseBody(eventBody, req.json ?? {});
        const agentId = await agents.resolve(body.session_id, req.headers['x-agent-id'], p);
        requireAgent(p, agentId, 'ingest');
        const draft = fromEvent(body, agentId, now());
        const blobKey = body.needs_blob ? payloadKey(agentId, body.session_id, body.client_event_id) : null;
        const [outcome] = await ingestEvents(deps, [{ ...draft, blobKey }]);
        if (outcome!.status === 'rejected')
          throw new DomainError('validation', outcome!.reason ?? 'rejected');
        const blob_url = blobKey ? await deps.blobs.uploadUrl(blobKey, now() + BLOB_URL_TTL_MS) : undefined;
        const duplicate = outcome!.status === 'duplicate';
        return {
          status: duplicate ? 200 : 201,
          body: { event_id: body.client_event_id, duplicate, ...(blob_url ? { blob_url } : {}) },
        };
      },
    },
    {
      method: 'POST',
      pattern: '/api/sdk/evals',
      handle: async (req) => {
        const p = await principal(req);
        const body = parseBody(evalBody, req.json ?? {});
        const agentId = await agents.resolve(body.session_id, req.headers['x-agent-id'], p);
        requireAgent(p, agentId, 'ingest');
        await addSessionEval(deps, agentId, body.session_id, fromEval(body, now()));
        return { status: 201, body: { session_id: body.session_id, accepted: true } };
      },
    },
    {
      method: 'POST',
      pattern: '/api/v1/batch',
      handle: async (req) => batch(deps, await principal(req), req),
    },
    createOtlpTraceRoute(deps),
    {
      method: 'PUT',
      pattern: '/api/blobs/{token}',
      handle: async (req) => {
        if (!deps.verifyUploadToken)
          throw new DomainError('not-found', 'blob uploads go to the payload bucket');
        const key = deps.verifyUploadToken(req.params.token!, now());
        await deps.blobs.put(key, req.raw, 'application/json');
        return { status: 200, body: { stored: true } };
      },
    },
  ]);
}

function agentFor(item: { agent_id?: string }, fallback: string | undefined, p: Principal): string {
  const agentId =
    item.agent_id ?? fallback ?? (p.agents !== '*' && p.agents.length === 1 ? p.agents[0] : undefined);
  if (!agentId) throw validationError('agent_id', 'is required (on the item or the batch)');
  requireAgent(p, agentId, 'ingest');
  return agentId;
}

const reason = (e: unknown): string => {
  if (isDomainError(e) && e.kind !== 'unavailable') return e.message;
  throw e;
};

async function batch(deps: HandlerDeps, p: Principal, req: HttpRequest): Promise<HttpResponse> {
  const body = parseBody(batchBody, req.json);
  if (body.agent_id) requireAgent(p, body.agent_id, 'ingest');
  const now = deps.clock.now();
  const events: ItemResult[] = new Array((body.events ?? []).length);
  const drafts: Array<{ index: number; draft: DraftEvent }> = [];
  for (const [index, raw] of (body.events ?? []).entries()) {
    try {
      const e = parseBody(batchEvent, raw, `events[${index}]`);
      drafts.push({ index, draft: fromBatchEvent(e, agentFor(e, body.agent_id, p)) });
    } catch (e) {
      events[index] = { index, id: idOf(raw, 'event_id'), status: 'rejected', reason: reason(e) };
    }
  }
  // A session whose events come in the same request is settled once, after they fold.
  const withEvents = new Set(drafts.map(({ draft }) => `${draft.agentId}\u0000${draft.sessionId}`));
  const deferred: SessionRef[] = [];
  const sessions: ItemResult[] = [];
  for (const [index, raw] of (body.sessions ?? []).entries()) {
    try {
      const s = parseBody(batchSession, raw, `sessions[${index}]`);
      const change = fromBatchSession(s, agentFor(s, body.agent_id, p), now);
      const defer = withEvents.has(`${change.agentId}\u0000${change.sessionId}`);
      await upsertSession(deps, change, { sync: false, settle: !defer });
      if (defer) deferred.push(change);
      sessions.push({ index, id: s.session_id, status: 'accepted' });
    } catch (e) {
      sessions.push({ index, id: idOf(raw, 'session_id'), status: 'rejected', reason: reason(e) });
    }
  }
  const outcomes = await ingestEvents(
    deps,
    drafts.map((d) => d.draft),
    { settle: deferred },
  );
  outcomes.forEach((o, i) => {
    const index = drafts[i]!.index;
    events[index] = {
      index,
      id: o.eventId,
      status: o.status,
      ...(o.reason ? { reason: `events[${index}].${o.reason}` } : {}),
    };
  });
  const all = [...sessions, ...events];
  const count = (s: ItemResult['status']) => all.filter((r) => r.status === s).length;
  const rejected = count('rejected');
  return {
    status: rejected > 0 ? 207 : 200,
    body: { accepted: count('accepted'), duplicates: count('duplicate'), rejected, sessions, events },
  };
}

function idOf(raw: unknown, field: string): string | null {
  const v = raw && typeof raw === 'object' ? (raw as Record<string, unknown>)[field] : undefined;
  return typeof v === 'string' ? v : null;
}

export function createIngestHandler(deps: HandlerDeps) {
  return httpHandler(createIngestRoutes(deps), { logger: deps.logger, corsOrigins: deps.corsOrigins });
}

let ingestLambda: ReturnType<typeof createIngestHandler> | undefined;

/** Lambda entry point (API Gateway HTTP API, payload v2): every ingest route. */
export const handler: ReturnType<typeof createIngestHandler> = ((event, context) => {
  ingestLambda ??= createIngestHandler(awsDeps());
  return ingestLambda(event, context);
}) as ReturnType<typeof createIngestHandler>;
