import { errorMessage, Log } from './log.js';
import {
  type DropInfo,
  type ResolvedOptions,
  resolveOptions,
  type SessionOptions,
  type VigilOptions,
} from './options.js';
import { type SessionHost, VigilSession } from './session.js';
import { type FlushResult, Transport, type TransportStats } from './transport.js';

export interface VigilStats extends TransportStats {
  /** Sessions and events queued or in flight. */
  queued: number;
  sessionsStarted: number;
  sessionsOpen: number;
  /** Sampled sessions discarded at their end (the draw said no and no rule fired). */
  sessionsSampledOut: number;
  /** Sampled sessions sent with sample_rate 1 because an always-keep rule fired. */
  sessionsKeptByRule: number;
  /** Events a sampled session dropped because its buffer was full. */
  droppedHeld: number;
}

/**
 * A connection to one Vigil server as one agent: its queue, its sessions, its counters. Most programs use
 * `init()`, which shares one client per (server, key, agent); create a `Vigil` yourself to control
 * options such as queue size and retries, or to shut it down explicitly.
 */
export class Vigil implements SessionHost {
  readonly options: ResolvedOptions;
  readonly log: Log;
  readonly transport: Transport | null;
  private readonly open = new Set<VigilSession>();
  private readonly counters = { started: 0, sampledOut: 0, keptByRule: 0, droppedHeld: 0 };
  private abandoned = false;

  constructor(options: VigilOptions = {}) {
    this.options = resolveOptions(options ?? {});
    this.log = new Log({ debug: this.options.debug, sink: this.options.logger });
    for (const w of this.options.warnings) this.log.warn(w);
    const apiKey = this.options.apiKey;
    if (!apiKey) {
      this.log.warn('no API key (option apiKey or VIGIL_API_KEY): sessions are recorded nowhere');
      this.transport = null;
      return;
    }
    this.transport = new Transport({ ...this.options, apiKey }, this.log);
    live.add(this);
    hookExit();
    this.log.debug('client ready', { endpoint: this.options.endpoint, agentId: this.options.agentId });
  }

  /** False when there is no API key: everything is accepted and nothing is sent. */
  get enabled(): boolean {
    return this.transport !== null;
  }

  /** Starts a session. Never throws. */
  session(options: SessionOptions = {}): VigilSession {
    return new VigilSession(this, options);
  }

  /** Sends everything queued; resolves when delivered or after `timeoutMs`. Never rejects. */
  async flush(timeoutMs?: number): Promise<FlushResult> {
    if (!this.transport) return { ok: true, pending: 0, dropped: 0 };
    return this.transport.flush(timeoutMs);
  }

  /** Ends open sessions, flushes (at most `timeoutMs`) and stops. Never rejects. */
  async shutdown(timeoutMs = this.options.flushTimeoutMs): Promise<FlushResult> {
    live.delete(this);
    for (const s of [...this.open]) s.end();
    if (!this.transport) return { ok: true, pending: 0, dropped: 0 };
    const result = await this.transport.close(timeoutMs);
    if (!result.ok) this.transport.abandon('shutdown timed out');
    return result;
  }

  stats(): VigilStats {
    const t = this.transport;
    return {
      ...(t?.stats ?? {
        batches: 0,
        accepted: 0,
        duplicates: 0,
        rejected: 0,
        retries: 0,
        droppedQueueFull: 0,
        droppedSendFailed: 0,
      }),
      queued: t?.pending ?? 0,
      sessionsStarted: this.counters.started,
      sessionsOpen: this.open.size,
      sessionsSampledOut: this.counters.sampledOut,
      sessionsKeptByRule: this.counters.keptByRule,
      droppedHeld: this.counters.droppedHeld,
    };
  }

  /** @internal */
  sessionStarted(s: VigilSession): void {
    this.counters.started++;
    this.open.add(s);
  }

  /** @internal */
  sessionEnded(s: VigilSession, outcome: 'sent' | 'sampled_out' | 'kept_by_rule' | 'off'): void {
    this.open.delete(s);
    if (outcome === 'sampled_out') this.counters.sampledOut++;
    if (outcome === 'kept_by_rule') this.counters.keptByRule++;
  }

  /** @internal */
  reportDrop(info: DropInfo): void {
    if (info.reason === 'hold_full') this.counters.droppedHeld += info.events;
    try {
      this.options.onDrop?.(info);
    } catch (e) {
      this.log.debug('onDrop threw', { error: errorMessage(e) });
    }
  }

  /** @internal Whether the process should be held open at exit for this client. */
  needsExitFlush(): boolean {
    if (this.abandoned || !this.transport) return false;
    return this.transport.pending > 0 || (this.options.autoEnd && this.open.size > 0);
  }

  /**
   * @internal At `beforeExit`: end open sessions (autoEnd), then one bounded flush. If the server does not
   * answer in time the rest is dropped, so an unreachable server never holds the process open.
   */
  async exitFlush(): Promise<void> {
    try {
      if (this.options.autoEnd) for (const s of [...this.open]) s.end();
      const result = await this.flush(this.options.exitFlushTimeoutMs);
      if (!result.ok && result.pending > 0) {
        this.abandoned = true;
        this.transport?.abandon('process exiting and the server did not answer in time');
      }
    } catch (e) {
      this.log.error('exit flush failed', { error: errorMessage(e) });
    }
  }
}

// ---------------------------------------------------------------------------------------------------------
// Process exit: one beforeExit listener for every live client
// ---------------------------------------------------------------------------------------------------------

const live = new Set<Vigil>();
let hooked = false;

function hookExit(): void {
  if (hooked || typeof process === 'undefined' || typeof process.on !== 'function') return;
  hooked = true;
  // beforeExit fires when the event loop is empty; the flush refills it, and when that is done the event
  // fires again — by then nothing needs flushing (or the client gave up), so the process exits.
  process.on('beforeExit', () => {
    const due = [...live].filter((c) => c.needsExitFlush());
    for (const c of due) void c.exitFlush();
  });
}

/** Every client that has not been shut down (for the module-level flush/shutdown). */
export const liveClients = (): Vigil[] => [...live];
