import {
  OTLP_LIMITS,
  OTLP_PROTOBUF,
  OTLP_TRACES_PATH,
  type OtlpTraceResponse,
  otlpTraceRequest,
} from '../../contracts/otlp';
import { decodeTraceRequest, encodeTraceResponse } from '../adapters/otlp/protobuf';
import { pushTo } from '../domain/collections';
import type { DraftEvent } from '../domain/enrich';
import { DomainError } from '../domain/errors';
import { ingestEvents, upsertSession } from '../domain/ingest';
import { credentialFrom, type Principal, requireAgent, requireScope } from '../domain/keys';
import { fromOtlpTraces, type OtlpRejection, sessionUpsertFor, shortReason } from '../domain/translate/otlp';
import { type HttpRequest, type HttpResponse, parseBody, type Route } from '../platform/http';
import type { HandlerDeps } from './deps';
import { UNASSIGNED_AGENT } from './resolve-agent';

export interface OtlpRouteOptions {
  /**
   * OTLP requests this process works on at once; more are answered 429 with Retry-After, which every
   * OTLP exporter honours by retrying later.
   * @default 32
   */
  maxInFlight?: number;
}

type Encoding = 'json' | 'protobuf';

const SESSIONS_AT_ONCE = 8;

/** `POST /v1/traces`: OTLP/HTTP traces, JSON or protobuf, answered as the OTLP specification says. */
export function createOtlpTraceRoute(deps: HandlerDeps, options: OtlpRouteOptions = {}): Route {
  const limit = options.maxInFlight ?? 32;
  let inFlight = 0;
  return {
    method: 'POST',
    pattern: OTLP_TRACES_PATH,
    handle: async (req) => {
      const encoding = encodingOf(req);
      if (inFlight >= limit) {
        return {
          status: 429,
          headers: { 'retry-after': '1' },
          body: { detail: 'too many OTLP requests in flight, retry later', error: 'unavailable' },
        };
      }
      inFlight++;
      try {
        const principal = await deps.auth.authenticate(credentialFrom(req.headers));
        requireScope(principal, 'ingest');
        const body = encoding === 'json' ? (req.json ?? {}) : decodeTraceRequest(req.raw);
        return respond(encoding, await exportTraces(deps, principal, body));
      } finally {
        inFlight--;
      }
    },
  };
}

/** Validates, authorises every agent named, then stores sessions before their events (see below). */
export async function exportTraces(
  deps: HandlerDeps,
  principal: Principal,
  body: unknown,
): Promise<{ spans: number; rejected: OtlpRejection[] }> {
  const request = parseBody(otlpTraceRequest, body);
  const total = (request.resourceSpans ?? []).reduce(
    (n, rs) => n + (rs.scopeSpans ?? []).reduce((m, ss) => m + (ss.spans?.length ?? 0), 0),
    0,
  );
  if (total > OTLP_LIMITS.maxSpansPerRequest) {
    throw new DomainError(
      'too-large',
      `body: more than ${OTLP_LIMITS.maxSpansPerRequest} spans in one request`,
    );
  }
  const now = deps.clock.now();
  const batch = fromOtlpTraces(request, { fallbackAgent: onlyAgent(principal), now });
  for (const agentId of new Set(batch.sessions.map((s) => s.agentId)))
    requireAgent(principal, agentId, 'ingest');
  const drafts = new Map<string, DraftEvent[]>();
  for (const d of batch.drafts) pushTo(drafts, `${d.agentId}\u0000${d.sessionId}`, d);
  const rejected = [...batch.rejected];
  // Sessions are independent: a few at a time, so their commits share a group commit. Within one,
  // the session is stored before its events, which fold under its production flag and tag slices.
  await forEachLimited(batch.sessions, SESSIONS_AT_ONCE, async (info) => {
    const change = sessionUpsertFor(info, await deps.sessions.get(info.agentId, info.sessionId), now);
    const own = drafts.get(`${info.agentId}\u0000${info.sessionId}`) ?? [];
    // With events to fold, the session is settled once, after they fold.
    const defer = change !== null && own.length > 0;
    if (change) await upsertSession(deps, change, { sync: false, settle: !defer });
    const settle = defer ? [{ agentId: info.agentId, sessionId: info.sessionId }] : [];
    for (const o of await ingestEvents(deps, own, { settle })) {
      if (o.status === 'rejected')
        rejected.push({ traceId: null, spanId: o.eventId, reason: o.reason ?? 'rejected' });
    }
  });
  return { spans: batch.spanCount, rejected };
}

async function forEachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

function onlyAgent(p: Principal): string {
  return p.agents !== '*' && p.agents.length === 1 ? p.agents[0]! : UNASSIGNED_AGENT;
}

function encodingOf(req: HttpRequest): Encoding {
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/json' || type.endsWith('+json')) return 'json';
  if (
    type === OTLP_PROTOBUF ||
    type === 'application/protobuf' ||
    type === 'application/vnd.google.protobuf'
  ) {
    return 'protobuf';
  }
  if (type === '') return req.json !== undefined ? 'json' : 'protobuf';
  throw new DomainError(
    'unsupported-media',
    `content-type: "${type}" is not supported; send application/json or application/x-protobuf`,
  );
}

/** 200 in both encodings; `partialSuccess` counts and explains the spans that were rejected. */
function respond(encoding: Encoding, result: { spans: number; rejected: OtlpRejection[] }): HttpResponse {
  const n = result.rejected.length;
  const message =
    n === 0
      ? ''
      : `${n} of ${result.spans} spans rejected: ${result.rejected.slice(0, 3).map(shortReason).join('; ')}`;
  if (encoding === 'json') {
    const body: OtlpTraceResponse =
      n === 0 ? {} : { partialSuccess: { rejectedSpans: String(n), errorMessage: message } };
    return { status: 200, body };
  }
  return {
    status: 200,
    headers: { 'content-type': OTLP_PROTOBUF },
    bytes: n === 0 ? new Uint8Array() : encodeTraceResponse({ rejectedSpans: n, errorMessage: message }),
  };
}
