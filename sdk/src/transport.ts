import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import { errorMessage, type Log } from './log.js';
import type { DropInfo, ResolvedOptions } from './options.js';
import type { WireBatchResponse, WireSession } from './wire.js';

const gzipAsync = promisify(gzip);

export const SDK_VERSION = '0.1.0';

/** What `flush()` reports. `ok` means everything queued was delivered and nothing was dropped meanwhile. */
export interface FlushResult {
  ok: boolean;
  /** Items (sessions + events) still queued or in flight. */
  pending: number;
  /** Items dropped while the flush ran. */
  dropped: number;
}

export interface TransportStats {
  batches: number;
  accepted: number;
  duplicates: number;
  rejected: number;
  retries: number;
  droppedQueueFull: number;
  droppedSendFailed: number;
}

interface Batch {
  sessions: WireSession[];
  /** Serialised WireEvents (frozen at record time). */
  events: string[];
  bytes: number[];
}

type Outcome =
  | { kind: 'ok'; response: WireBatchResponse | null }
  | { kind: 'retry'; why: string; retryAfterMs: number | null }
  | { kind: 'too_large' }
  | { kind: 'fatal'; why: string };

const RETRYABLE = new Set([408, 409, 425, 429]);

/**
 * Ships sessions and events to `POST /api/v1/batch`: one request at a time, gzip, bounded queue that drops
 * the oldest, retries with exponential backoff and full jitter. Ids are generated once per item, so a
 * batch retried after a lost response is answered "duplicate" and never double-counted.
 *
 * Nothing here throws to the caller and nothing keeps the process alive on its own: timers are unref'd
 * (the `beforeExit` hook and `flush()` hold the process open, for a bounded time, when delivery matters).
 */
export class Transport {
  readonly stats: TransportStats = {
    batches: 0,
    accepted: 0,
    duplicates: 0,
    rejected: 0,
    retries: 0,
    droppedQueueFull: 0,
    droppedSendFailed: 0,
  };
  private events: string[] = [];
  private eventBytes: number[] = [];
  private head = 0;
  /** One pending upsert per session (each carries the session's full state, so newer replaces older). */
  private readonly sessions = new Map<string, WireSession>();
  private inFlight = 0;
  private draining: Promise<void> | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private wake: (() => void) | null = null;
  private unreported = { events: 0, sessions: 0 };
  private closed = false;
  private abandoned = false;
  private request: AbortController | null = null;

  constructor(
    private readonly o: ResolvedOptions & { apiKey: string },
    private readonly log: Log,
  ) {}

  get pendingEvents(): number {
    return this.events.length - this.head;
  }

  /** Items queued or in flight. */
  get pending(): number {
    return this.pendingEvents + this.sessions.size + this.inFlight;
  }

  get droppedTotal(): number {
    return this.stats.droppedQueueFull + this.stats.droppedSendFailed + this.stats.rejected;
  }

  enqueueSession(s: WireSession): void {
    if (this.closed) {
      this.log.debug('transport closed: session update ignored', { session: s.session_id });
      return;
    }
    const existing = this.sessions.get(s.session_id);
    if (existing) {
      this.sessions.set(s.session_id, { ...existing, ...s });
    } else {
      if (this.sessions.size >= this.o.maxQueueSize) {
        const oldest = this.sessions.keys().next().value as string;
        this.sessions.delete(oldest);
        this.stats.droppedQueueFull++;
        this.noteDropped(0, 1);
      }
      this.sessions.set(s.session_id, s);
    }
    this.schedule(false);
  }

  /** Events already serialised (so later mutation by the host cannot change them). */
  enqueueEvents(events: readonly string[]): void {
    if (events.length === 0) return;
    if (this.closed) {
      this.log.debug('transport closed: events ignored', { events: events.length });
      return;
    }
    let dropped = 0;
    for (const e of events) {
      if (this.pendingEvents >= this.o.maxQueueSize) {
        this.head++;
        dropped++;
      }
      this.events.push(e);
      this.eventBytes.push(Buffer.byteLength(e));
    }
    this.compact();
    if (dropped > 0) {
      this.stats.droppedQueueFull += dropped;
      this.noteDropped(dropped, 0);
    }
    this.schedule(this.pendingEvents >= this.o.maxBatchSize);
  }

  /**
   * Sends everything queued, waiting at most `timeoutMs`. A retry waiting out its backoff is started at
   * once: the host asked for delivery now. Never rejects.
   */
  async flush(timeoutMs = this.o.flushTimeoutMs): Promise<FlushResult> {
    if (this.abandoned) return { ok: this.pending === 0, pending: this.pending, dropped: 0 };
    const droppedBefore = this.droppedTotal;
    const deadline = performance.now() + timeoutMs;
    try {
      this.clearTimer();
      while (this.pending > 0 || this.draining) {
        this.wake?.();
        const drain = this.kick();
        const remaining = deadline - performance.now();
        if (remaining <= 0 || (await timedOut(drain, remaining))) break;
      }
    } catch (e) {
      this.log.error('flush failed', { error: errorMessage(e) });
    }
    const dropped = this.droppedTotal - droppedBefore;
    return { ok: this.pending === 0 && dropped === 0, pending: this.pending, dropped };
  }

  /** Flushes, then accepts nothing more. */
  async close(timeoutMs: number): Promise<FlushResult> {
    const result = await this.flush(timeoutMs);
    this.closed = true;
    this.clearTimer();
    return result;
  }

  /**
   * Gives up: aborts the request in flight, drops what is queued (reported as send_failed) and accepts
   * nothing more. Used when the process is exiting and the server did not answer in time.
   */
  abandon(why: string): void {
    if (this.abandoned) return;
    this.abandoned = true;
    this.closed = true;
    this.clearTimer();
    this.wake?.();
    this.request?.abort(new Error(why));
    const batch = this.takeAll();
    if (batch.sessions.length + batch.events.length > 0) this.drop(batch, why);
  }

  private takeAll(): Batch {
    const events = this.events.slice(this.head);
    const bytes = this.eventBytes.slice(this.head);
    const sessions = [...this.sessions.values()];
    this.events = [];
    this.eventBytes = [];
    this.head = 0;
    this.sessions.clear();
    return { sessions, events, bytes };
  }

  private schedule(now: boolean): void {
    if (this.closed || this.draining) return;
    if (this.timer && !now) return;
    this.clearTimer();
    this.timer = setTimeout(
      () => {
        this.timer = null;
        void this.kick();
      },
      now ? 0 : this.o.flushIntervalMs,
    );
    this.timer.unref?.();
  }

  private clearTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
  }

  private kick(): Promise<void> {
    if (!this.draining) {
      this.draining = this.drain().finally(() => {
        this.draining = null;
        if (this.pending > 0) this.schedule(false);
      });
    }
    return this.draining;
  }

  private async drain(): Promise<void> {
    for (let batch = this.take(); batch; batch = this.take()) {
      const size = batch.sessions.length + batch.events.length;
      this.inFlight += size;
      try {
        await this.send(batch);
      } catch (e) {
        this.log.error('send failed unexpectedly', { error: errorMessage(e) });
      } finally {
        this.inFlight -= size;
      }
    }
  }

  /** Sessions go first: the server must know a session's sample rate before it folds its events. */
  private take(): Batch | null {
    if (this.sessions.size === 0 && this.pendingEvents === 0) return null;
    const sessions: WireSession[] = [];
    for (const [key, s] of this.sessions) {
      if (sessions.length >= this.o.maxBatchSize) break;
      sessions.push(s);
      this.sessions.delete(key);
    }
    const events: string[] = [];
    const bytes: number[] = [];
    if (this.sessions.size === 0) {
      let total = 0;
      while (this.head < this.events.length && events.length < this.o.maxBatchSize) {
        const size = this.eventBytes[this.head]!;
        if (events.length > 0 && total + size > this.o.maxBatchBytes) break;
        events.push(this.events[this.head]!);
        bytes.push(size);
        total += size;
        this.head++;
      }
      this.compact();
    }
    return { sessions, events, bytes };
  }

  private compact(): void {
    if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.eventBytes = this.eventBytes.slice(this.head);
      this.head = 0;
    }
  }

  private async send(batch: Batch): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const outcome = await this.post(batch);
      if (outcome.kind === 'ok') return this.record(batch, outcome.response);
      if (outcome.kind === 'too_large') {
        const halves = split(batch);
        if (!halves) return this.drop(batch, 'the server refused a single item as too large (413)');
        this.log.debug('batch too large (413): splitting', { items: batch.events.length });
        for (const half of halves) await this.send(half);
        return;
      }
      if (outcome.kind === 'fatal') return this.drop(batch, outcome.why);
      if (this.abandoned) return this.drop(batch, `${outcome.why}; transport abandoned`);
      if (attempt >= this.o.maxRetries)
        return this.drop(batch, `${outcome.why}; gave up after ${attempt + 1} attempts`);
      const ceiling = Math.min(this.o.retryMaxMs, this.o.retryBaseMs * 2 ** attempt);
      let delay = this.o.random() * ceiling;
      if (outcome.retryAfterMs !== null)
        delay = Math.max(delay, Math.min(outcome.retryAfterMs, this.o.retryMaxMs));
      this.stats.retries++;
      this.log.debug('retrying batch', {
        why: outcome.why,
        attempt: attempt + 1,
        delayMs: Math.round(delay),
      });
      await this.sleep(delay);
    }
  }

  private async post(batch: Batch): Promise<Outcome> {
    try {
      const json = body(this.o.agentId, batch);
      const headers: Record<string, string> = {
        authorization: `Api-Key ${this.o.apiKey}`,
        'content-type': 'application/json',
        'user-agent': `vigil-sdk-ts/${SDK_VERSION}`,
      };
      let data: Uint8Array | string = json;
      if (this.o.compression) {
        data = await gzipAsync(json);
        headers['content-encoding'] = 'gzip';
      }
      const controller = new AbortController();
      const timer = setTimeout(
        () => controller.abort(new Error(`no answer within ${this.o.requestTimeoutMs} ms`)),
        this.o.requestTimeoutMs,
      );
      timer.unref?.();
      this.request = controller;
      let res: Awaited<ReturnType<ResolvedOptions['fetch']>>;
      let text: string;
      // a custom fetch may ignore the signal: the abort settles the request for us either way
      const aborted = new Promise<never>((_, reject) =>
        controller.signal.addEventListener('abort', () => reject(controller.signal.reason), { once: true }),
      );
      aborted.catch(() => {});
      try {
        res = await Promise.race([
          this.o.fetch(this.o.endpoint, { method: 'POST', headers, body: data, signal: controller.signal }),
          aborted,
        ]);
        text = await Promise.race([res.text(), aborted]);
      } finally {
        clearTimeout(timer);
        this.request = null;
      }
      if (res.status === 200 || res.status === 207) return { kind: 'ok', response: parseResponse(text) };
      const why = `HTTP ${res.status}${detailOf(text)}`;
      if (res.status === 413) return { kind: 'too_large' };
      if (RETRYABLE.has(res.status) || res.status >= 500) {
        return { kind: 'retry', why, retryAfterMs: retryAfter(res.headers.get('retry-after')) };
      }
      return { kind: 'fatal', why };
    } catch (e) {
      const code = (e as { cause?: { code?: unknown } })?.cause?.code;
      const why = `network: ${errorMessage(e)}${typeof code === 'string' ? ` (${code})` : ''}`;
      return { kind: 'retry', why, retryAfterMs: null };
    }
  }

  private record(batch: Batch, r: WireBatchResponse | null): void {
    this.stats.batches++;
    if (!r) {
      this.log.warn('batch sent but the answer was not the batch API JSON', { items: size(batch) });
      return;
    }
    this.stats.accepted += r.accepted;
    this.stats.duplicates += r.duplicates;
    this.stats.rejected += r.rejected;
    this.log.debug('batch sent', { accepted: r.accepted, duplicates: r.duplicates, rejected: r.rejected });
    if (r.rejected > 0) {
      const reasons = [...(r.sessions ?? []), ...(r.events ?? [])]
        .filter((i) => i.status === 'rejected')
        .slice(0, 5)
        .map((i) => i.reason);
      this.log.warn('the server rejected items', { rejected: r.rejected, reasons });
      this.report({ reason: 'rejected', events: r.rejected, sessions: 0, detail: reasons.join('; ') });
    }
  }

  private drop(batch: Batch, why: string): void {
    this.stats.droppedSendFailed += size(batch);
    this.log.warn('batch dropped', { why, sessions: batch.sessions.length, events: batch.events.length });
    this.report({
      reason: 'send_failed',
      events: batch.events.length,
      sessions: batch.sessions.length,
      detail: why,
    });
  }

  /** Queue-full drops are reported once per burst (after the host's synchronous code), not per item. */
  private noteDropped(events: number, sessions: number): void {
    const first = this.unreported.events + this.unreported.sessions === 0;
    this.unreported.events += events;
    this.unreported.sessions += sessions;
    if (!first) return;
    queueMicrotask(() => {
      const { events: e, sessions: s } = this.unreported;
      this.unreported = { events: 0, sessions: 0 };
      this.log.warn('queue full: dropped the oldest items', {
        events: e,
        sessions: s,
        maxQueueSize: this.o.maxQueueSize,
      });
      this.report({ reason: 'queue_full', events: e, sessions: s });
    });
  }

  private report(info: DropInfo): void {
    try {
      this.o.onDrop?.(info);
    } catch (e) {
      this.log.debug('onDrop threw', { error: errorMessage(e) });
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(t);
        if (this.wake === done) this.wake = null;
        resolve();
      };
      const t = setTimeout(done, ms);
      t.unref?.();
      this.wake = done;
    });
  }
}

function body(agentId: string | null, b: Batch): string {
  const agent = agentId ? `"agent_id":${JSON.stringify(agentId)},` : '';
  return `{${agent}"sessions":${JSON.stringify(b.sessions)},"events":[${b.events.join(',')}]}`;
}

const size = (b: Batch): number => b.sessions.length + b.events.length;

function split(b: Batch): [Batch, Batch] | null {
  if (b.events.length > 1) {
    const half = Math.ceil(b.events.length / 2);
    return [
      { sessions: b.sessions, events: b.events.slice(0, half), bytes: b.bytes.slice(0, half) },
      { sessions: [], events: b.events.slice(half), bytes: b.bytes.slice(half) },
    ];
  }
  if (b.sessions.length + b.events.length > 1) {
    const half = Math.ceil(b.sessions.length / 2);
    return [
      { sessions: b.sessions.slice(0, half), events: [], bytes: [] },
      { sessions: b.sessions.slice(half), events: b.events, bytes: b.bytes },
    ];
  }
  return null;
}

function parseResponse(text: string): WireBatchResponse | null {
  try {
    const r = JSON.parse(text) as WireBatchResponse;
    return typeof r?.accepted === 'number' ? r : null;
  } catch {
    return null;
  }
}

function detailOf(text: string): string {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    return typeof detail === 'string' ? `: ${detail.slice(0, 300)}` : '';
  } catch {
    return '';
  }
}

/** Retry-After in seconds or as an HTTP date. */
function retryAfter(v: string | null): number | null {
  if (!v) return null;
  const seconds = Number(v);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(v);
  return Number.isNaN(at) ? null : Math.max(0, at - Date.now());
}

/** Resolves true when `ms` pass before `p` settles; holds the process open meanwhile (ref'd timer). */
function timedOut(p: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const t = setTimeout(() => resolve(true), ms);
    p.then(
      () => {
        clearTimeout(t);
        resolve(false);
      },
      () => {
        clearTimeout(t);
        resolve(false);
      },
    );
  });
}
