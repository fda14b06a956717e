import { randomUUID } from 'node:crypto';
import { clearLatestSession, currentScope, runInScope, setLatestSession } from './context.js';
import { estimateCostUsd } from './cost.js';
import { snapshot, truncate } from './json.js';
import { errorMessage, type Log } from './log.js';
import * as norm from './normalize.js';
import type { DropInfo, ResolvedOptions, SessionContext, SessionOptions, SessionPolicy } from './options.js';
import { sampleRate as validRate } from './options.js';
import { decideAtEnd, emptySummary, type KeepRules, mustKeepNow, type SessionSummary } from './sampling.js';
import type { FlushResult, Transport } from './transport.js';
import type { WireEvent, WireEventType, WireSession } from './wire.js';

/** What a session needs from its client. */
export interface SessionHost {
  readonly options: ResolvedOptions;
  readonly log: Log;
  readonly transport: Transport | null;
  sessionStarted(s: VigilSession): void;
  sessionEnded(s: VigilSession, outcome: 'sent' | 'sampled_out' | 'kept_by_rule' | 'off'): void;
  reportDrop(info: DropInfo): void;
  flush(timeoutMs?: number): Promise<FlushResult>;
}

/** Fields every event may carry. */
export interface EventFields {
  name?: string;
  /** @default now (for timers: when `start()` was called) */
  startedAt?: Date | number;
  /** @default for timers: the time until `end()` */
  durationMs?: number;
  /** Recorded in the payload (unless capturePayloads is off). */
  input?: unknown;
  output?: unknown;
  /** A payload of your own shape; replaces `{ input, output }`. */
  payload?: unknown;
  /** Marks the event as failed; anything thrown is fine. */
  error?: unknown;
  /** @default the enclosing span/tool, if any */
  parentId?: string;
  tags?: string[];
  metadata?: Record<string, unknown>;
}

/** An LLM call: model, provider and token usage are what the dashboard's cost and token views need. */
export interface LlmFields extends EventFields {
  model?: string;
  provider?: string;
  usage?: norm.TokenUsage;
  /** Your own cost figure; the server also prices the call from model + tokens and keeps both. */
  costUsd?: number;
}

export type TimedEventType = 'llm' | 'tool' | 'generic' | 'custom';

export interface ToolOptions extends Omit<EventFields, 'name' | 'input' | 'output' | 'error' | 'payload'> {
  /** Record arguments and result as the payload. @default true */
  capture?: boolean;
}

export interface EndOptions {
  success?: boolean;
  reason?: string;
  /** A score for the session (any finite number, e.g. 0–1). */
  evaluation?: number;
  evaluationReason?: string;
}

type Mode = 'off' | 'stream' | 'hold' | 'ended';

/** Times one event: `end()` or `fail()` records it once; `run(fn)` nests what `fn` records under it. */
export class EventTimer {
  private done = false;
  private readonly t0 = performance.now();

  constructor(
    private readonly session: VigilSession,
    readonly id: string,
    private readonly type: TimedEventType,
    private readonly fields: LlmFields,
  ) {}

  /** Records the event with the time since `start()` (unless `durationMs` is given). */
  end(fields: LlmFields = {}): string {
    if (this.done) return this.id;
    this.done = true;
    const f = fields ?? {};
    const durationMs = f.durationMs ?? performance.now() - this.t0;
    return this.session.recordEvent(this.type, { ...this.fields, ...f, durationMs }, this.id);
  }

  /** Records the event as failed. */
  fail(error: unknown, fields: LlmFields = {}): string {
    return this.end({ ...(fields ?? {}), error });
  }

  /** Runs `fn` with this event as the parent of everything recorded inside it (sync or async). */
  run<R>(fn: () => R): R {
    return runInScope({ session: this.session, parentId: this.id }, fn);
  }
}

/**
 * One agent session. Every method is safe to call in any state and never throws into the host: problems
 * go to the debug log. Recording is synchronous and cheap; delivery happens in the background.
 */
export class VigilSession {
  readonly id: string;
  /** 0 < rate ≤ 1, as configured. */
  readonly sampleRate: number;
  /** Whether the random draw kept this session (always true at rate 1). */
  readonly sampledIn: boolean;
  readonly productionMonitoring: boolean;
  private mode: Mode;
  private readonly state: WireSession;
  private readonly rules: KeepRules;
  private readonly stats: SessionSummary = emptySummary();
  private held: string[] = [];
  private heldDropped = 0;
  /** Set when an always-keep rule fired before the end. */
  private keptByRule = false;

  constructor(
    private readonly host: SessionHost,
    sessionOptions: SessionOptions = {},
  ) {
    const o = host.options;
    const options = sessionOptions ?? {};
    const policy = { ...o.policy, ...policyOf(options) };
    this.id = norm.id(options.sessionId) ?? randomUUID();
    if (options.sessionId !== undefined && this.id !== options.sessionId) {
      host.log.warn('sessionId must be a non-empty string of at most 256 characters; using a random id');
    }
    this.sampleRate = validRate(policy.sampleRate, (m) => host.log.warn(m));
    this.sampledIn = this.sampleRate >= 1 || o.random() < this.sampleRate;
    this.rules = { keepCostAboveUsd: policy.keepCostAboveUsd, keepIf: policy.keepIf };
    const tags = norm.tags(options.tags) ?? [];
    const context: SessionContext = {
      sessionId: this.id,
      sessionName: norm.name(options.sessionName),
      tags,
      agentId: o.agentId,
      experimentId: norm.id(options.experimentId),
    };
    this.productionMonitoring = this.decideProduction(policy.productionMonitoring, context);
    this.state = {
      session_id: this.id,
      production_monitoring: this.productionMonitoring,
      sample_rate: this.sampleRate,
      started_at: new Date(o.now()).toISOString(),
      tags,
    };
    if (context.sessionName) this.state.name = context.sessionName;
    if (typeof options.task === 'string') this.state.task = truncate(options.task, 1_000_000);
    if (context.experimentId) this.state.experiment_id = context.experimentId;
    const rubrics = norm.tags(options.rubrics);
    if (rubrics) this.state.rubrics = rubrics;
    this.mode = !host.transport ? 'off' : this.sampleRate >= 1 ? 'stream' : 'hold';
    if (this.mode === 'stream') host.transport?.enqueueSession({ ...this.state });
    setLatestSession(this);
    host.sessionStarted(this);
    host.log.debug('session started', { session: this.id, sampleRate: this.sampleRate, mode: this.mode });
  }

  get ended(): boolean {
    return this.mode === 'ended';
  }

  /** What the session has recorded so far (the input of the always-keep rules). */
  summary(): SessionSummary {
    return { ...this.stats };
  }

  /** Records a finished LLM call. Returns its event id. */
  llm(call: LlmFields): string {
    return this.recordEvent('llm', call);
  }

  /** Records an error (type `error`). Returns its event id. */
  error(error: unknown, fields: EventFields = {}): string {
    return this.recordEvent('error', { ...fields, error });
  }

  /** Records a custom (default) or generic event. Returns its event id. */
  event(fields: EventFields & { type?: 'custom' | 'generic' }): string {
    const { type, ...rest } = fields ?? {};
    return this.recordEvent(type === 'generic' ? 'generic' : 'custom', rest);
  }

  /** Starts timing an event; record it with `end()` / `fail()`. */
  start(type: TimedEventType, fields: LlmFields = {}): EventTimer {
    const startedAt = fields?.startedAt ?? this.host.options.now();
    const parentId = fields?.parentId ?? this.scopeParent() ?? undefined;
    return new EventTimer(this, randomUUID(), type, {
      ...fields,
      startedAt,
      ...(parentId ? { parentId } : {}),
    });
  }

  /**
   * Wraps a function as a tool: each call is recorded (arguments, result or error, duration) and events
   * recorded inside it are its children. The wrapper returns/throws exactly what `fn` does.
   */
  tool<F extends (...args: never[]) => unknown>(name: string, fn: F, options: ToolOptions = {}): F {
    const session = this;
    const { capture = true, ...fields } = options ?? {};
    const wrapped = function (this: unknown, ...args: Parameters<F>): ReturnType<F> {
      const timer = session.safeStart('tool', { ...fields, name, ...(capture ? { input: args } : {}) });
      return settle(timer, () => fn.apply(this, args) as ReturnType<F>, capture);
    };
    try {
      Object.defineProperty(wrapped, 'name', { value: fn.name || name });
    } catch {
      // cosmetic only
    }
    return wrapped as unknown as F;
  }

  /**
   * Runs `fn` now as a named step (a `generic` event, or `type`); events recorded inside it are its
   * children. Returns/throws exactly what `fn` does.
   */
  span<R>(name: string, fn: () => R, options: ToolOptions & { type?: TimedEventType } = {}): R {
    const { type, capture = true, ...fields } = options ?? {};
    return settle(this.safeStart(type ?? 'generic', { ...fields, name }), fn, capture);
  }

  /**
   * Runs `fn` with this session as the current one, so wrapped LLM clients called inside it (across
   * awaits) record here. Use it per request in servers that handle several sessions at once.
   */
  run<R>(fn: () => R): R {
    return runInScope({ session: this, parentId: null }, fn);
  }

  /** Ends the session. Later events are ignored. Never blocks: delivery happens in the background. */
  end(options: EndOptions = {}): void {
    try {
      if (this.mode === 'ended') {
        this.host.log.debug('session already ended', { session: this.id });
        return;
      }
      const o = options ?? {};
      this.state.ended_at = new Date(this.host.options.now()).toISOString();
      this.state.finished = true;
      if (typeof o.success === 'boolean') {
        this.state.is_successful = o.success;
        this.stats.success = o.success;
      }
      if (typeof o.reason === 'string') this.state.is_successful_reason = truncate(o.reason, 10_000);
      if (typeof o.evaluation === 'number' && Number.isFinite(o.evaluation))
        this.state.session_eval = o.evaluation;
      if (typeof o.evaluationReason === 'string')
        this.state.session_eval_reason = truncate(o.evaluationReason, 10_000);
      const mode = this.mode;
      this.mode = 'ended';
      clearLatestSession(this);
      if (mode === 'off') {
        this.host.sessionEnded(this, 'off');
        return;
      }
      if (mode === 'stream') {
        this.host.transport?.enqueueSession({ ...this.state });
        this.host.sessionEnded(this, this.keptByRule ? 'kept_by_rule' : 'sent');
        return;
      }
      const decision = decideAtEnd(this.rules, this.sampleRate, this.sampledIn, this.stats, (e) =>
        this.host.log.warn('keepIf threw; treated as false', { error: errorMessage(e) }),
      );
      if (!decision.send) {
        this.held = [];
        this.host.log.debug('session sampled out', { session: this.id });
        this.host.sessionEnded(this, 'sampled_out');
        return;
      }
      this.release(decision.sampleRate);
      this.host.sessionEnded(this, decision.byRule ? 'kept_by_rule' : 'sent');
    } catch (e) {
      this.host.log.error('end failed', { session: this.id, error: errorMessage(e) });
    }
  }

  /** Flushes the client's queue (all sessions). Never rejects. */
  flush(timeoutMs?: number): Promise<FlushResult> {
    return this.host.flush(timeoutMs);
  }

  /** @internal Builds, accounts and dispatches one event. Returns its id whatever happens. */
  recordEvent(type: WireEventType, f: LlmFields, eventId: string = randomUUID()): string {
    try {
      if (this.mode === 'ended') {
        this.host.log.debug('session ended: event ignored', { session: this.id, type });
        return eventId;
      }
      if (this.mode === 'off') return eventId;
      const fields = f ?? {};
      const o = this.host.options;
      const duration = norm.durationMs(fields.durationMs);
      // a call recorded after the fact with only its duration started that long ago
      const wire: WireEvent = {
        event_id: eventId,
        session_id: this.id,
        type,
        started_at: norm.isoTime(fields.startedAt, o.now() - (duration ?? 0)),
      };
      const parentId = norm.id(fields.parentId) ?? this.scopeParent();
      if (parentId) wire.parent_event_id = parentId;
      const name = norm.name(fields.name);
      if (name) wire.name = name;
      if (duration !== null) wire.duration_ms = duration;
      const model = norm.name(fields.model);
      if (model) wire.model = truncate(model, 256);
      const provider = norm.name(fields.provider);
      if (provider) wire.provider = truncate(provider, 256);
      const usage = norm.wireUsage(fields.usage);
      if (usage) wire.usage = usage;
      const cost = norm.costUsd(fields.costUsd);
      if (cost !== null) wire.cost_usd = cost;
      const failed = fields.error !== undefined && fields.error !== null;
      if (failed || type === 'error') wire.error = norm.describeError(fields.error);
      const tags = norm.tags(fields.tags);
      if (tags?.length) wire.tags = tags;
      if (fields.metadata !== undefined) {
        const meta = snapshot(fields.metadata, 64 * 1024);
        wire.metadata =
          meta && typeof meta === 'object' && !Array.isArray(meta)
            ? (meta as Record<string, unknown>)
            : { value: meta };
      }
      if (o.capturePayloads) {
        const payload =
          fields.payload !== undefined
            ? fields.payload
            : fields.input !== undefined || fields.output !== undefined
              ? { input: fields.input, output: fields.output }
              : undefined;
        const snap = snapshot(payload, o.maxPayloadChars);
        if (snap !== undefined) wire.payload = snap;
      }
      this.account(type, wire, failed);
      this.dispatch(JSON.stringify(wire));
    } catch (e) {
      this.host.log.error('could not record event', { session: this.id, type, error: errorMessage(e) });
    }
    return eventId;
  }

  private account(type: WireEventType, wire: WireEvent, failed: boolean): void {
    const s = this.stats;
    s.events++;
    if (failed || type === 'error') s.errors++;
    if (wire.usage) {
      s.inputTokens += wire.usage.input_tokens ?? 0;
      s.outputTokens += wire.usage.output_tokens ?? 0;
    }
    if (type !== 'llm') {
      if (wire.cost_usd != null) s.costUsd += wire.cost_usd;
      return;
    }
    s.llmCalls++;
    const usage = wire.usage && {
      inputTokens: wire.usage.input_tokens,
      outputTokens: wire.usage.output_tokens,
      cachedInputTokens: wire.usage.cached_input_tokens,
      reasoningTokens: wire.usage.reasoning_tokens,
    };
    const cost = wire.cost_usd ?? estimateCostUsd(this.host.options.prices, wire.model, usage);
    if (cost !== null) s.costUsd += cost;
    else if (wire.usage) s.unpricedLlmCalls++;
  }

  private dispatch(json: string): void {
    if (this.mode === 'stream') {
      this.host.transport?.enqueueEvents([json]);
      return;
    }
    if (this.mode !== 'hold') return;
    this.held.push(json);
    if (this.held.length > this.host.options.maxHeldEventsPerSession) {
      this.held.shift();
      this.heldDropped++;
      if (this.heldDropped === 1 || this.heldDropped % 100 === 0) {
        this.host.log.warn('sampled session buffer full: dropped its oldest event', {
          session: this.id,
          dropped: this.heldDropped,
        });
      }
      this.host.reportDrop({ reason: 'hold_full', events: 1, sessions: 0 });
    }
    if (mustKeepNow(this.rules, this.stats)) {
      this.host.log.debug('sampled session kept by rule', { session: this.id, errors: this.stats.errors });
      this.release(1);
      this.mode = 'stream';
      this.keptByRule = true;
    }
  }

  /** Sends the held session with its final sample rate, then its events. */
  private release(rate: number): void {
    this.state.sample_rate = rate;
    this.host.transport?.enqueueSession({ ...this.state });
    this.host.transport?.enqueueEvents(this.held);
    this.held = [];
  }

  private scopeParent(): string | null {
    const scope = currentScope();
    return scope?.session === this ? scope.parentId : null;
  }

  private safeStart(type: TimedEventType, fields: LlmFields): EventTimer | null {
    try {
      return this.start(type, fields);
    } catch (e) {
      this.host.log.error('could not start event', { error: errorMessage(e) });
      return null;
    }
  }

  private decideProduction(p: SessionOptions['productionMonitoring'], ctx: SessionContext): boolean {
    if (typeof p !== 'function') return p === true;
    try {
      return p(ctx) === true;
    } catch (e) {
      this.host.log.warn('productionMonitoring predicate threw; treated as false', {
        error: errorMessage(e),
      });
      return false;
    }
  }
}

/**
 * Runs `fn` under the timer and records its outcome, returning/throwing exactly what `fn` does. A
 * returned promise is observed on a side chain (which handles its own rejection) and returned as is.
 */
function settle<R>(timer: EventTimer | null, fn: () => R, captureOutput: boolean): R {
  if (!timer) return fn();
  const output = (value: unknown): LlmFields => (captureOutput ? { output: value } : {});
  let result: R;
  try {
    result = timer.run(fn);
  } catch (e) {
    timer.fail(e);
    throw e;
  }
  if (isThenable(result)) {
    result.then(
      (value) => timer.end(output(value)),
      (e) => timer.fail(e),
    );
  } else {
    timer.end(output(result));
  }
  return result;
}

export const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') &&
  v !== null &&
  typeof (v as PromiseLike<unknown>).then === 'function';

function policyOf(o: SessionOptions): SessionPolicy {
  const p: SessionPolicy = {};
  if (o?.productionMonitoring !== undefined) p.productionMonitoring = o.productionMonitoring;
  if (o?.sampleRate !== undefined) p.sampleRate = o.sampleRate;
  if (o?.keepCostAboveUsd !== undefined) p.keepCostAboveUsd = o.keepCostAboveUsd;
  if (o?.keepIf !== undefined) p.keepIf = o.keepIf;
  return p;
}
