import { describeIssue, LIMITS } from '../../../contracts/common';
import {
  type OtlpAnyValue,
  type OtlpKeyValue,
  type OtlpSpan,
  type OtlpTraceRequest,
  otlpResource,
  otlpScope,
  otlpSpan,
  SPAN_KINDS,
} from '../../../contracts/otlp';
import type { DraftEvent } from '../enrich';
import type { ErrorSignal } from '../error-classify';
import { isDomainError, validationError } from '../errors';
import type { EventType, Session, Usage } from '../model';
import type { SessionUpsert } from '../ports';

/**
 * OTLP traces → canonical model. One span becomes one event; spans are grouped into sessions.
 * Pure: the same request always maps to the same sessions and event ids, which is what makes a span
 * re-sent by a retrying exporter a duplicate. The mapping table is in the README ("OTLP").
 *
 * Understood conventions: OpenTelemetry gen_ai (current names and the older ones popular
 * instrumentations still emit), OpenInference, OpenLLMetry/Traceloop, the Vercel AI SDK (`ai.*`) and
 * Langfuse's observation types.
 */

export type AttrValue = string | number | boolean | null | AttrValue[] | { [key: string]: AttrValue };
export type Attributes = Record<string, AttrValue>;

export interface OtlpRejection {
  traceId: string | null;
  spanId: string | null;
  reason: string;
}

/** What one request says about one session; see `sessionUpsertFor`. */
export interface OtlpSessionInfo {
  agentId: string;
  sessionId: string;
  /** Earliest span start in the request. */
  startedAt: number;
  /** End of the trace's root span, when the session is keyed by that trace and its root is here. */
  endedAt: number | null;
  name: string | null;
  tags: string[];
  production: boolean;
}

export interface OtlpBatch {
  spanCount: number;
  drafts: DraftEvent[];
  sessions: OtlpSessionInfo[];
  rejected: OtlpRejection[];
}

export interface OtlpTranslateOptions {
  /** Agent for spans that name none (no vigil.agent_id, no real service.name). */
  fallbackAgent: string;
  /** Now (epoch ms): spans outside the accepted time range are rejected before they create sessions. */
  now: number;
}

const SESSION_KEYS = [
  'session.id',
  'gen_ai.conversation.id',
  'langfuse.session.id',
  'traceloop.association.properties.session_id',
  'ai.telemetry.metadata.sessionId',
];
const LLM_OPERATIONS = new Set([
  'chat',
  'text_completion',
  'generate_content',
  'embeddings',
  'completion',
  'embedding',
]);
const LLM_OI_KINDS = new Set(['LLM', 'EMBEDDING']);
const PRODUCTION_ENVIRONMENTS = new Set(['production', 'prod', 'prd', 'live']);
const MAX_NAME = 1024;
/** The largest time a JS Date holds. */
const MAX_DATE_MS = 8.64e15;
const MAX_REASON = 300;
/** Parsed JSON content nested deeper than this stays a string (it is stored and re-serialised later). */
const MAX_JSON_DEPTH = 64;

interface ParsedSpan {
  span: OtlpSpan;
  path: string;
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  attrs: Attributes;
  resource: Attributes;
  scopeName: string | null;
}

/** Maps a validated request envelope; each resource, scope and span is checked on its own. */
export function fromOtlpTraces(request: OtlpTraceRequest, options: OtlpTranslateOptions): OtlpBatch {
  const rejected: OtlpRejection[] = [];
  const parsed: ParsedSpan[] = [];
  let spanCount = 0;
  for (const [r, rs] of (request.resourceSpans ?? []).entries()) {
    const resourcePath = `resourceSpans[${r}]`;
    const resource = otlpResource.safeParse(rs.resource ?? {});
    const resourceAttrs = resource.success ? attributesOf(resource.data.attributes) : {};
    for (const [s, ss] of (rs.scopeSpans ?? []).entries()) {
      const scopePath = `${resourcePath}.scopeSpans[${s}]`;
      const scope = otlpScope.safeParse(ss.scope ?? {});
      // A malformed resource or scope rejects every span under it.
      const problem = !resource.success
        ? describeIssue(resource.error, `${resourcePath}.resource`).message
        : !scope.success
          ? describeIssue(scope.error, `${scopePath}.scope`).message
          : null;
      for (const [i, raw] of (ss.spans ?? []).entries()) {
        spanCount++;
        const path = `${scopePath}.spans[${i}]`;
        const span = otlpSpan.safeParse(raw);
        if (problem !== null || !span.success) {
          rejected.push({ ...idsOf(raw), reason: problem ?? describeIssue(span.error!, path).message });
          continue;
        }
        parsed.push({
          span: span.data,
          path,
          traceId: span.data.traceId.toLowerCase(),
          spanId: span.data.spanId.toLowerCase(),
          parentSpanId: span.data.parentSpanId ? span.data.parentSpanId.toLowerCase() : null,
          attrs: attributesOf(span.data.attributes),
          resource: resourceAttrs,
          scopeName: (scope.success && scope.data.name) || null,
        });
      }
    }
  }

  const sessionOf = resolveSessions(parsed);
  const drafts: DraftEvent[] = [];
  const sessions = new Map<string, OtlpSessionInfo>();
  for (const p of parsed) {
    try {
      const sessionId = sessionOf.get(p)!;
      const agentId = agentOf(p, options.fallbackAgent);
      checkId(agentId, 'agent_id', 'vigil.agent_id or service.name');
      checkId(sessionId, 'session_id', 'session.id or gen_ai.conversation.id');
      const draft = toDraft(p, agentId, sessionId, options.now);
      drafts.push(draft);
      foldSession(sessions, p, draft);
    } catch (e) {
      if (!isDomainError(e)) throw e;
      rejected.push({ traceId: p.traceId, spanId: p.spanId, reason: `${p.path}.${e.message}` });
    }
  }
  return { spanCount, drafts, sessions: [...sessions.values()], rejected };
}

/**
 * The upsert that brings a session up to date with what a request said about it, or null when there
 * is nothing new (the common case for a session whose spans arrive over many requests). Tags are a
 * union, the start only moves earlier, the name is set once.
 */
export function sessionUpsertFor(
  info: OtlpSessionInfo,
  existing: Session | null,
  now: number,
): SessionUpsert | null {
  const tags = [...new Set([...(existing?.tags ?? []), ...info.tags])].slice(0, LIMITS.maxTags);
  const endedAt =
    info.endedAt === null ? null : Math.max(info.endedAt, existing?.endedAt ?? Number.NEGATIVE_INFINITY);
  if (
    existing &&
    !existing.stub &&
    existing.production === info.production &&
    existing.startedAt <= info.startedAt &&
    tags.length === existing.tags.length &&
    (info.name === null || existing.name !== null) &&
    (endedAt === null || (existing.status === 'finished' && existing.endedAt === endedAt))
  ) {
    return null;
  }
  return {
    agentId: info.agentId,
    sessionId: info.sessionId,
    name: existing?.name ? undefined : (info.name ?? undefined),
    tags,
    production: info.production,
    startedAt: info.startedAt,
    endedAt: endedAt ?? undefined,
    finished: endedAt !== null ? true : undefined,
    source: 'otlp',
    stub: false,
    at: now,
  };
}

// ---------------------------------------------------------------------------------------------------------
// Sessions and agents
// ---------------------------------------------------------------------------------------------------------

/**
 * A span's session: its own session attribute (or its resource's); else the nearest ancestor's in this
 * request; else that of any span of the same trace in this request; else the trace id. Only the request
 * is consulted, so a retried request maps exactly as the first attempt did.
 */
function resolveSessions(spans: ParsedSpan[]): Map<ParsedSpan, string> {
  const explicit = new Map<ParsedSpan, string>();
  const byTrace = new Map<string, Map<string, ParsedSpan>>();
  for (const p of spans) {
    const own = firstText(p.attrs, SESSION_KEYS) ?? firstText(p.resource, SESSION_KEYS);
    if (own) explicit.set(p, own);
    const trace = byTrace.get(p.traceId) ?? new Map<string, ParsedSpan>();
    if (!trace.has(p.spanId)) trace.set(p.spanId, p);
    byTrace.set(p.traceId, trace);
  }
  const traceDefault = new Map<string, string>();
  for (const p of [...explicit.keys()].sort(byStartThenId)) {
    if (!traceDefault.has(p.traceId)) traceDefault.set(p.traceId, explicit.get(p)!);
  }
  const out = new Map<ParsedSpan, string>();
  for (const p of spans) {
    let session = explicit.get(p);
    const trace = byTrace.get(p.traceId)!;
    const seen = new Set<string>([p.spanId]);
    for (let up = p.parentSpanId; !session && up && !seen.has(up); ) {
      seen.add(up);
      const parent = trace.get(up);
      if (!parent) break;
      session = explicit.get(parent);
      up = parent.parentSpanId;
    }
    out.set(p, session ?? traceDefault.get(p.traceId) ?? p.traceId);
  }
  return out;
}

const byStartThenId = (a: ParsedSpan, b: ParsedSpan): number => {
  const d = BigInt(a.span.startTimeUnixNano) - BigInt(b.span.startTimeUnixNano);
  return d < 0n ? -1 : d > 0n ? 1 : a.spanId.localeCompare(b.spanId);
};

function agentOf(p: ParsedSpan, fallback: string): string {
  const service = text(p.resource, 'service.name');
  return (
    text(p.attrs, 'vigil.agent_id') ??
    text(p.resource, 'vigil.agent_id') ??
    (service && !service.startsWith('unknown_service') ? service : null) ??
    fallback
  );
}

function checkId(value: string, field: string, source: string): void {
  if (value.length > LIMITS.maxIdLength) {
    throw validationError(
      field,
      `must be at most ${LIMITS.maxIdLength} characters (it comes from ${source})`,
    );
  }
}

function foldSession(sessions: Map<string, OtlpSessionInfo>, p: ParsedSpan, draft: DraftEvent): void {
  const key = `${draft.agentId}\u0000${draft.sessionId}`;
  let info = sessions.get(key);
  if (!info) {
    info = {
      agentId: draft.agentId,
      sessionId: draft.sessionId,
      startedAt: draft.startedAt,
      endedAt: null,
      name: null,
      tags: [],
      production: productionOf(p),
    };
    sessions.set(key, info);
  }
  info.startedAt = Math.min(info.startedAt, draft.startedAt);
  const isRoot = p.parentSpanId === null;
  if (isRoot && !info.name) info.name = draft.name;
  if (isRoot && draft.sessionId === p.traceId) {
    info.endedAt = Math.max(info.endedAt ?? 0, Math.ceil(draft.startedAt + (draft.durationMs ?? 0)));
  }
  const tags = new Set(info.tags);
  for (const t of sessionTags(p)) tags.add(t);
  info.tags = [...tags].slice(0, LIMITS.maxTags);
}

function sessionTags(p: ParsedSpan): string[] {
  const r = p.resource;
  const tags: string[] = [];
  const env = text(r, 'deployment.environment.name') ?? text(r, 'deployment.environment');
  if (env) tags.push(`env:${env}`);
  const version = text(r, 'service.version');
  if (version) tags.push(`version:${version}`);
  const user = text(p.attrs, 'user.id') ?? text(r, 'user.id');
  if (user) tags.push(`user:${user}`);
  tags.push(...tagList(r), ...tagList(p.attrs));
  return tags.map(capTag);
}

/** `vigil.production` decides when set; else production unless deployment.environment names another. */
function productionOf(p: ParsedSpan): boolean {
  const explicit = bool(get(p.attrs, 'vigil.production')) ?? bool(get(p.resource, 'vigil.production'));
  if (explicit !== null) return explicit;
  const env = text(p.resource, 'deployment.environment.name') ?? text(p.resource, 'deployment.environment');
  return env === null || PRODUCTION_ENVIRONMENTS.has(env.toLowerCase());
}

// ---------------------------------------------------------------------------------------------------------
// One span → one event
// ---------------------------------------------------------------------------------------------------------

function toDraft(p: ParsedSpan, agentId: string, sessionId: string, now: number): DraftEvent {
  const { span, attrs } = p;
  const { startedAt, durationMs } = timingOf(span, now);
  const { type, rawType } = classify(attrs, span.name ?? '');
  const consumed = new Set<string>();
  const exception = lastException(span);
  const errorSignal = errorOf(span, attrs, exception);
  const spanName = span.name ? span.name.slice(0, MAX_NAME) : null;
  const toolName = type === 'tool' ? toolNameOf(attrs) : null;
  return {
    agentId,
    sessionId,
    eventId: p.spanId,
    parentEventId: p.parentSpanId,
    type,
    rawType,
    name: toolName ?? spanName,
    startedAt,
    durationMs,
    model: firstText(attrs, [
      'gen_ai.response.model',
      'gen_ai.request.model',
      'llm.model_name',
      'llm.response.model_name',
      'llm.request.model_name',
      'embedding.model_name',
      'ai.response.model',
      'ai.model.id',
    ]),
    provider: providerOf(attrs),
    usage: type === 'llm' ? usageOf(attrs) : null,
    clientCostUsd: type === 'llm' ? costOf(attrs) : null,
    errorSignal,
    tags: tagList(attrs).map(capTag),
    metadata: metadataOf(p, type),
    // The exception that became the error is not repeated among the payload's events.
    payload: payloadOf(p, type, consumed, errorSignal ? exception : null),
    source: 'otlp',
    timeField: 'startTimeUnixNano',
  };
}

function timingOf(span: OtlpSpan, now: number): { startedAt: number; durationMs: number | null } {
  const start = BigInt(span.startTimeUnixNano);
  if (start === 0n) throw validationError('startTimeUnixNano', 'must be set');
  const startedAt = Number(start / 1_000_000n);
  // The same range enrichEvent enforces, checked here so a rejected span never creates a session.
  if (startedAt > now + LIMITS.maxFutureMs) {
    throw validationError('startTimeUnixNano', 'is more than 1 hour in the future');
  }
  if (startedAt < now - LIMITS.maxPastMs) {
    throw validationError('startTimeUnixNano', 'is more than 400 days in the past');
  }
  const end = span.endTimeUnixNano === undefined ? 0n : BigInt(span.endTimeUnixNano);
  let durationMs: number | null = null;
  if (end !== 0n) {
    if (end < start) throw validationError('endTimeUnixNano', 'must not be before startTimeUnixNano');
    durationMs = Number((end - start) / 1000n) / 1000;
    if (durationMs > LIMITS.maxDurationMs) throw validationError('endTimeUnixNano', 'span lasts over 7 days');
  }
  return { startedAt, durationMs };
}

/** Event type: model calls are llm, tool executions tool, everything else generic (raw type kept). */
function classify(a: Attributes, spanName: string): { type: EventType; rawType: string } {
  const op = text(a, 'gen_ai.operation.name')?.toLowerCase() ?? null;
  const oiKind = text(a, 'openinference.span.kind')?.toUpperCase() ?? null;
  const traceloopKind = text(a, 'traceloop.span.kind')?.toLowerCase() ?? null;
  const legacyType = text(a, 'llm.request.type')?.toLowerCase() ?? null;
  const langfuseType = text(a, 'langfuse.observation.type')?.toLowerCase() ?? null;
  const vercelOp = text(a, 'ai.operationId');
  const isVercelModelCall = vercelOp !== null && /\.do(?:Generate|Stream|Embed)$/.test(vercelOp);
  const marked =
    op !== null ||
    oiKind !== null ||
    traceloopKind !== null ||
    legacyType !== null ||
    langfuseType !== null ||
    vercelOp !== null;

  if (
    (op !== null && LLM_OPERATIONS.has(op)) ||
    (oiKind !== null && LLM_OI_KINDS.has(oiKind)) ||
    (op === null && legacyType !== null && LLM_OPERATIONS.has(legacyType)) ||
    langfuseType === 'generation' ||
    langfuseType === 'embedding' ||
    isVercelModelCall ||
    // No convention names the operation, but only model calls carry a request model.
    (!marked && get(a, 'gen_ai.request.model') !== undefined)
  ) {
    const oiRaw = oiKind === null ? null : oiKind === 'EMBEDDING' ? 'embeddings' : oiKind.toLowerCase();
    const raw = op ?? legacyType ?? oiRaw ?? langfuseType ?? vercelOp ?? 'chat';
    return { type: 'llm', rawType: raw };
  }
  if (
    op === 'execute_tool' ||
    oiKind === 'TOOL' ||
    traceloopKind === 'tool' ||
    langfuseType === 'tool' ||
    vercelOp === 'ai.toolCall'
  ) {
    return { type: 'tool', rawType: op ?? 'execute_tool' };
  }
  const raw = op ?? oiKind?.toLowerCase() ?? traceloopKind ?? langfuseType ?? vercelOp ?? spanName;
  return { type: 'generic', rawType: (raw || 'span').slice(0, 256) };
}

function providerOf(a: Attributes): string | null {
  const p = firstText(a, ['gen_ai.provider.name', 'gen_ai.system', 'llm.provider', 'llm.system']);
  if (p) return p.toLowerCase();
  // The AI SDK names the provider and API together ("openai.chat", "anthropic.messages").
  const vercel = text(a, 'ai.model.provider');
  return vercel ? vercel.split('.')[0]!.toLowerCase() : null;
}

function usageOf(a: Attributes): Usage | null {
  let input =
    tokens(a, [
      'gen_ai.usage.input_tokens',
      'gen_ai.usage.prompt_tokens',
      'llm.token_count.prompt',
      'ai.usage.inputTokens',
      'ai.usage.promptTokens',
    ]) ?? 0;
  let output =
    tokens(a, [
      'gen_ai.usage.output_tokens',
      'gen_ai.usage.completion_tokens',
      'llm.token_count.completion',
      'ai.usage.outputTokens',
      'ai.usage.completionTokens',
    ]) ?? 0;
  const cached =
    tokens(a, [
      'gen_ai.usage.cache_read.input_tokens',
      'gen_ai.usage.cache_read_input_tokens',
      'llm.token_count.prompt_details.cache_read',
      'ai.usage.cachedInputTokens',
    ]) ?? 0;
  const reasoning =
    tokens(a, [
      'gen_ai.usage.reasoning.output_tokens',
      'gen_ai.usage.reasoning_tokens',
      'llm.token_count.completion_details.reasoning',
      'ai.usage.reasoningTokens',
    ]) ?? 0;
  // gen_ai counts cached tokens inside input_tokens; a sender that reports more cached than input
  // tokens counts them apart (Anthropic's usage does), and likewise for reasoning tokens.
  if (cached > input) input += cached;
  if (reasoning > output) output += reasoning;
  if (input === 0 && output === 0) return null;
  return { inputTokens: input, outputTokens: output, cachedInputTokens: cached, reasoningTokens: reasoning };
}

function tokens(a: Attributes, keys: string[]): number | null {
  for (const key of keys) {
    const v = get(a, key);
    if (v === undefined || v === null) continue;
    const n = typeof v === 'string' && /^\d{1,12}$/.test(v.trim()) ? Number(v) : v;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > LIMITS.maxTokens) {
      throw validationError(
        `attributes.${key}`,
        `must be a token count (an integer from 0 to ${LIMITS.maxTokens})`,
      );
    }
    return n;
  }
  return null;
}

function costOf(a: Attributes): number | null {
  const v = get(a, 'llm.cost.total');
  if (v === undefined || v === null) return null;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < 0 || v > LIMITS.maxCostUsd) {
    throw validationError('attributes.llm.cost.total', `must be a cost from 0 to ${LIMITS.maxCostUsd} USD`);
  }
  return v;
}

interface SpanEvent {
  name: string;
  at: number | null;
  attrs: Attributes;
  index: number;
}

function eventsOf(span: OtlpSpan): SpanEvent[] {
  return (span.events ?? []).map((e, index) => {
    const at = e.timeUnixNano === undefined ? null : Number(BigInt(e.timeUnixNano) / 1_000_000n);
    return {
      name: e.name ?? '',
      at: at !== null && at > 0 && at <= MAX_DATE_MS ? at : null,
      attrs: attributesOf(e.attributes),
      index,
    };
  });
}

function lastException(span: OtlpSpan): SpanEvent | null {
  const exceptions = eventsOf(span).filter((e) => e.name === 'exception');
  return exceptions[exceptions.length - 1] ?? null;
}

/**
 * A span failed when its status is ERROR, when it carries `error.type`, or when an exception escaped
 * it. A recorded exception under an OK or unset status was handled, and is kept in the payload only.
 */
function errorOf(span: OtlpSpan, a: Attributes, exception: SpanEvent | null): ErrorSignal | null {
  const code = span.status?.code;
  const statusError = code === 2 || code === 'STATUS_CODE_ERROR';
  const errorType = text(a, 'error.type');
  const escaped = exception !== null && get(exception.attrs, 'exception.escaped') === true;
  if (!statusError && !errorType && !escaped) return null;
  const ex = exception?.attrs ?? {};
  return {
    message:
      (span.status?.message?.trim() || null) ??
      text(ex, 'exception.message') ??
      text(a, 'error.message') ??
      errorType,
    type: errorType ?? text(ex, 'exception.type'),
    stack: text(ex, 'exception.stacktrace'),
    statusCode: httpStatus(a),
  };
}

function httpStatus(a: Attributes): number | null {
  const v = get(a, 'http.response.status_code') ?? get(a, 'http.status_code');
  const n = typeof v === 'string' ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : null;
}

function toolNameOf(a: Attributes): string | null {
  return (
    firstText(a, ['gen_ai.tool.name', 'tool.name', 'ai.toolCall.name']) ??
    (text(a, 'traceloop.span.kind') === 'tool' ? text(a, 'traceloop.entity.name') : null)
  );
}

function metadataOf(p: ParsedSpan, type: EventType): Record<string, unknown> {
  const a = p.attrs;
  const kind = p.span.kind;
  const finish =
    get(a, 'gen_ai.response.finish_reasons') ??
    get(a, 'llm.finish_reason') ??
    get(a, 'ai.response.finishReason') ??
    null;
  const extra = maybeJson(get(a, 'metadata'));
  const metadata: Record<string, unknown> = {
    trace_id: p.traceId,
    span_id: p.spanId,
    span_kind: typeof kind === 'number' ? SPAN_KINDS[kind] : kind?.replace('SPAN_KIND_', '').toLowerCase(),
    scope: p.scopeName,
    status_message: p.span.status?.message || null,
    finish_reasons: finish === null ? null : Array.isArray(finish) ? finish : [finish],
    response_id: text(a, 'gen_ai.response.id'),
    conversation_id: text(a, 'gen_ai.conversation.id'),
    agent_name: firstText(a, ['gen_ai.agent.name', 'agent.name']),
    tool_call_id:
      type === 'tool' ? firstText(a, ['gen_ai.tool.call.id', 'tool_call.id', 'ai.toolCall.id']) : null,
    user_id: text(a, 'user.id') ?? text(p.resource, 'user.id'),
    metadata: extra === null || typeof extra !== 'object' || Array.isArray(extra) ? null : extra,
  };
  for (const k of Object.keys(metadata))
    if (metadata[k] === null || metadata[k] === undefined) delete metadata[k];
  return metadata;
}

// ---------------------------------------------------------------------------------------------------------
// Prompt and completion content
// ---------------------------------------------------------------------------------------------------------

const INPUT_EVENT_ROLES = new Map([
  ['gen_ai.system.message', 'system'],
  ['gen_ai.user.message', 'user'],
  ['gen_ai.assistant.message', 'assistant'],
  ['gen_ai.tool.message', 'tool'],
]);

/**
 * The event's payload: input and output content (prompt / completion, tool arguments / result) lifted
 * from whichever convention carried it, the remaining span attributes, and the span's other events.
 */
function payloadOf(
  p: ParsedSpan,
  type: EventType,
  consumed: Set<string>,
  exception: SpanEvent | null,
): unknown {
  const a = p.attrs;
  const events = eventsOf(p.span);
  const usedEvents = new Set<number>();
  if (exception) usedEvents.add(exception.index);
  const take = (key: string): AttrValue | undefined => {
    const v = get(a, key);
    if (v === undefined) return undefined;
    consumed.add(key);
    return maybeJson(v);
  };
  const takeIndexed = (prefix: string, strip = ''): AttrValue[] | undefined => {
    const rows = indexed(a, prefix, strip, consumed);
    return rows.length > 0 ? rows : undefined;
  };
  const fromEvents = (match: (e: SpanEvent) => AttrValue | undefined): AttrValue[] | undefined => {
    const out: AttrValue[] = [];
    for (const e of events) {
      const v = match(e);
      if (v === undefined) continue;
      usedEvents.add(e.index);
      out.push(v);
    }
    return out.length > 0 ? out : undefined;
  };
  const details = (key: string) =>
    fromEvents((e) =>
      e.name === 'gen_ai.client.inference.operation.details' && get(e.attrs, key) !== undefined
        ? maybeJson(get(e.attrs, key)!)
        : undefined,
    )?.[0];

  let input: AttrValue | undefined;
  let output: AttrValue | undefined;
  if (type === 'tool') {
    input = take('gen_ai.tool.call.arguments') ?? take('ai.toolCall.args') ?? take('input.value');
    output = take('gen_ai.tool.call.result') ?? take('ai.toolCall.result') ?? take('output.value');
  } else {
    input =
      take('gen_ai.input.messages') ??
      takeIndexed('gen_ai.prompt') ??
      take('gen_ai.prompt') ??
      takeIndexed('llm.input_messages', 'message.') ??
      take('ai.prompt.messages') ??
      take('ai.prompt') ??
      take('input.value') ??
      details('gen_ai.input.messages') ??
      fromEvents((e) => {
        const role = INPUT_EVENT_ROLES.get(e.name);
        return role ? { role, ...plain(e.attrs) } : undefined;
      }) ??
      fromEvents((e) =>
        e.name === 'gen_ai.content.prompt' ? maybeJson(get(e.attrs, 'gen_ai.prompt') ?? null) : undefined,
      );
    output =
      take('gen_ai.output.messages') ??
      takeIndexed('gen_ai.completion') ??
      take('gen_ai.completion') ??
      takeIndexed('llm.output_messages', 'message.') ??
      take('ai.response.text') ??
      take('ai.response.object') ??
      take('ai.response.toolCalls') ??
      take('output.value') ??
      details('gen_ai.output.messages') ??
      fromEvents((e) => (e.name === 'gen_ai.choice' ? plain(e.attrs) : undefined)) ??
      fromEvents((e) =>
        e.name === 'gen_ai.content.completion'
          ? maybeJson(get(e.attrs, 'gen_ai.completion') ?? null)
          : undefined,
      );
  }
  const system = take('gen_ai.system_instructions');
  const payload: Record<string, unknown> = {};
  if (input !== undefined) payload['input'] = input;
  if (output !== undefined) payload['output'] = output;
  if (system !== undefined) payload['system_instructions'] = system;
  const rest = Object.entries(a).filter(([k]) => !consumed.has(k));
  if (rest.length > 0) payload['attributes'] = Object.fromEntries(rest);
  const others = events.filter((e) => !usedEvents.has(e.index));
  if (others.length > 0) {
    payload['events'] = others.map((e) => ({
      name: e.name,
      at: e.at === null ? null : new Date(e.at).toISOString(),
      attributes: plain(e.attrs),
    }));
  }
  return payload;
}

/** Rebuilds `prefix.<i>.<field>` attribute families (gen_ai.prompt.0.role …) into a list of objects. */
function indexed(a: Attributes, prefix: string, strip: string, consumed: Set<string>): AttrValue[] {
  const rows: Array<Record<string, AttrValue>> = [];
  const head = `${prefix}.`;
  for (const key of Object.keys(a)) {
    if (!key.startsWith(head)) continue;
    const m = /^(\d{1,4})\.(.+)$/s.exec(key.slice(head.length));
    if (!m) continue;
    const field = m[2]!.startsWith(strip) ? m[2]!.slice(strip.length) : m[2]!;
    const i = Number(m[1]);
    rows[i] ??= {};
    Object.defineProperty(rows[i], field, { value: maybeJson(a[key]!), enumerable: true, writable: true });
    consumed.add(key);
  }
  return rows.filter((r) => r !== undefined);
}

// ---------------------------------------------------------------------------------------------------------
// Attribute helpers
// ---------------------------------------------------------------------------------------------------------

function attributesOf(list: OtlpKeyValue[] | undefined): Attributes {
  return Object.fromEntries((list ?? []).map((kv) => [kv.key, toAttrValue(kv.value)]));
}

function toAttrValue(v: OtlpAnyValue | undefined): AttrValue {
  if (!v) return null;
  if (v.stringValue !== undefined) return v.stringValue;
  if (v.boolValue !== undefined) return v.boolValue;
  if (v.intValue !== undefined) return Number(v.intValue);
  if (v.doubleValue !== undefined) return Number(v.doubleValue);
  if (v.bytesValue !== undefined) return v.bytesValue;
  if (v.arrayValue) return (v.arrayValue.values ?? []).map(toAttrValue);
  if (v.kvlistValue) return attributesOf(v.kvlistValue.values);
  return null;
}

const get = (a: Attributes, key: string): AttrValue | undefined =>
  Object.hasOwn(a, key) ? a[key] : undefined;

function text(a: Attributes, key: string): string | null {
  const v = get(a, key);
  if (typeof v === 'string') return v.trim() === '' ? null : v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return null;
}

function firstText(a: Attributes, keys: string[]): string | null {
  for (const k of keys) {
    const v = text(a, k);
    if (v !== null) return v;
  }
  return null;
}

function bool(v: AttrValue | undefined): boolean | null {
  if (typeof v === 'boolean') return v;
  if (typeof v === 'string' && /^(true|false)$/i.test(v.trim())) return v.trim().toLowerCase() === 'true';
  return null;
}

/** `vigil.tags` and OpenInference `tag.tags`: a string list, a JSON array string, or comma-separated. */
function tagList(a: Attributes): string[] {
  const out: string[] = [];
  for (const key of ['vigil.tags', 'tag.tags']) {
    let v = get(a, key);
    if (typeof v === 'string') v = v.trim().startsWith('[') ? maybeJson(v) : v.split(',');
    const list = Array.isArray(v) ? v : v === undefined || v === null ? [] : [v];
    for (const t of list) {
      if (typeof t === 'string' && t.trim() !== '') out.push(t.trim());
      else if (typeof t === 'number' || typeof t === 'boolean') out.push(String(t));
    }
  }
  return out;
}

const capTag = (t: string): string => t.slice(0, LIMITS.maxTagLength);

/** Span-event attributes with their JSON text parsed. */
const plain = (a: Attributes): Record<string, AttrValue> =>
  Object.fromEntries(Object.entries(a).map(([k, v]) => [k, maybeJson(v)]));

/** JSON text in an attribute (message lists, tool arguments) is parsed, unless nested absurdly deep. */
function maybeJson(v: AttrValue | undefined): AttrValue {
  if (v === undefined) return null;
  if (typeof v !== 'string') return v;
  const s = v.trim();
  if (!(s.startsWith('{') || s.startsWith('[')) || jsonDepth(s) > MAX_JSON_DEPTH) return v;
  try {
    return JSON.parse(s) as AttrValue;
  } catch {
    return v;
  }
}

/** Bracket nesting of JSON text, outside strings; linear, no recursion. */
function jsonDepth(s: string): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (inString) {
      if (c === 92) i++;
      else if (c === 34) inString = false;
    } else if (c === 34) inString = true;
    else if (c === 123 || c === 91) max = Math.max(max, ++depth);
    else if (c === 125 || c === 93) depth--;
  }
  return max;
}

function idsOf(raw: unknown): { traceId: string | null; spanId: string | null } {
  const o = raw !== null && typeof raw === 'object' ? (raw as Record<string, unknown>) : {};
  const id = (v: unknown) => (typeof v === 'string' && v.length <= 64 ? v : null);
  return { traceId: id(o['traceId']), spanId: id(o['spanId']) };
}

/** A short, single-line reason for partial-success messages; a valid span id replaces the span's path. */
export function shortReason(r: OtlpRejection): string {
  const named = r.spanId !== null && /^[0-9a-fA-F]{16}$/.test(r.spanId);
  const reason = named
    ? r.reason.replace(/^resourceSpans\[\d+\]\.scopeSpans\[\d+\]\.spans\[\d+\]\.?/, '')
    : r.reason;
  return (named ? `span ${r.spanId}: ${reason}` : reason).replace(/\s+/g, ' ').slice(0, MAX_REASON);
}
