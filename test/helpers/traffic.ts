import type { BatchEvent, BatchSession } from '../../contracts/native';
import { ingestEvents, upsertSession } from '../../lambdas/domain/ingest';
import { fromBatchEvent, fromBatchSession } from '../../lambdas/domain/translate/native';
import type { HandlerDeps } from '../../lambdas/handlers/deps';

/**
 * Deterministic agent traffic for baseline and anomaly tests: sessions of LLM and tool calls with a daily
 * and weekly rhythm, and knobs that turn on a regression for sessions starting in a period (cost spike,
 * error burst, slower model after a deploy, traffic drop). The same agent, seed and hour always give the
 * same sessions, however the time range is cut into requests.
 */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** What changes for sessions that start at a given time. */
export interface Effects {
  /** Multiplies input and output tokens (so cost). */
  costFactor?: number;
  /** Share of sessions with a failed LLM call. @default 0.03 */
  errorRate?: number;
  /** Multiplies LLM latency. */
  latencyFactor?: number;
  /** Multiplies the arrival rate. */
  volumeFactor?: number;
  /** The version tag sessions carry. @default "1.0" */
  version?: string;
}

export interface AgentTraffic {
  agentId: string;
  /** Sessions per hour at the busiest hour of a weekday. */
  peakPerHour: number;
  seed: number;
  effects?: (startedAt: number) => Effects;
}

export interface GeneratedSession {
  session: BatchSession;
  events: BatchEvent[];
  startedAt: number;
  endedAt: number;
}

function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const normal = () => {
    const u = Math.max(next(), 1e-12);
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    logNormal: (median: number, sigma: number) => median * Math.exp(sigma * normal()),
    poisson: (lambda: number) => {
      // Knuth for small rates, a rounded normal approximation for large ones.
      if (lambda > 50) return Math.max(0, Math.round(lambda + Math.sqrt(lambda) * normal()));
      const limit = Math.exp(-lambda);
      let k = 0;
      let p = 1;
      do {
        k++;
        p *= next();
      } while (p > limit);
      return k - 1;
    },
  };
}

const hash = (s: string): number => {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return h >>> 0;
};

/** Arrival rate over the day (UTC): quiet nights, a peak in the afternoon; weekends at half. */
export function hourlyRate(peak: number, hourStartMs: number): number {
  const d = new Date(hourStartMs);
  const hod = d.getUTCHours();
  const shape = 0.25 + 0.75 * Math.max(0, Math.sin((Math.PI * (hod - 6)) / 16));
  const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.5 : 1;
  return peak * shape * weekend;
}

const iso = (ms: number) => new Date(ms).toISOString();

function sessionsOfHour(a: AgentTraffic, hourStart: number): GeneratedSession[] {
  const r = rng(hash(`${a.agentId}:${a.seed}:${hourStart}`));
  const base = a.effects?.(hourStart) ?? {};
  const n = r.poisson(hourlyRate(a.peakPerHour, hourStart) * (base.volumeFactor ?? 1));
  const out: GeneratedSession[] = [];
  for (let i = 0; i < n; i++) {
    const start = hourStart + Math.floor(r.next() * HOUR);
    const fx = a.effects?.(start) ?? {};
    const sid = `${a.agentId}-${start}-${i}`;
    const tier = r.next() < 0.7 ? 'free' : 'pro';
    const steps = r.int(2, 5);
    const failing = r.next() < (fx.errorRate ?? 0.03) ? r.int(0, steps - 1) : -1;
    const events: BatchEvent[] = [];
    let t = start + r.int(50, 300);
    for (let s = 0; s < steps; s++) {
      const latency = Math.round(r.logNormal(700, 0.35) * (fx.latencyFactor ?? 1));
      const input = Math.round(r.logNormal(1500, 0.4) * (fx.costFactor ?? 1));
      const output = Math.round(r.logNormal(200, 0.4) * (fx.costFactor ?? 1));
      const failed = s === failing;
      events.push({
        event_id: `llm-${s}`,
        session_id: sid,
        type: 'llm',
        started_at: iso(t),
        duration_ms: latency,
        model: 'gpt-4o-mini',
        provider: 'openai',
        usage: failed ? null : { input_tokens: input, output_tokens: output },
        ...(failed
          ? {
              error: { message: 'Rate limit reached for requests', type: 'RateLimitError', status_code: 429 },
            }
          : {}),
      } as BatchEvent);
      t += latency + r.int(20, 120);
      if (r.next() < 0.5) {
        const d = Math.round(r.logNormal(150, 0.5));
        events.push({
          event_id: `tool-${s}`,
          session_id: sid,
          type: 'tool',
          name: 'search_kb',
          started_at: iso(t),
          duration_ms: d,
        } as BatchEvent);
        t += d + r.int(10, 60);
      }
    }
    const end = t + r.int(50, 300);
    out.push({
      session: {
        session_id: sid,
        production_monitoring: true,
        tags: [`tier:${tier}`, `version:${fx.version ?? '1.0'}`],
        started_at: iso(start),
        ended_at: iso(end),
        is_successful: failing < 0,
      } as BatchSession,
      events,
      startedAt: start,
      endedAt: end,
    });
  }
  return out;
}

/** The sessions of an agent that start in [from, to), in start order. */
export function sessionsBetween(a: AgentTraffic, from: number, to: number): GeneratedSession[] {
  const out: GeneratedSession[] = [];
  for (let h = Math.floor(from / HOUR) * HOUR; h < to; h += HOUR) {
    for (const s of sessionsOfHour(a, h)) if (s.startedAt >= from && s.startedAt < to) out.push(s);
  }
  return out.sort((x, y) => x.startedAt - y.startedAt);
}

/** Batch API bodies (at most 100 sessions / 1000 events each) for these sessions. */
export function batches(agentId: string, sessions: GeneratedSession[]) {
  const out: Array<{ agent_id: string; sessions: BatchSession[]; events: BatchEvent[] }> = [];
  let cur: (typeof out)[number] | null = null;
  for (const s of sessions) {
    if (!cur || cur.sessions.length >= 100 || cur.events.length + s.events.length > 1000) {
      cur = { agent_id: agentId, sessions: [], events: [] };
      out.push(cur);
    }
    cur.sessions.push(s.session);
    cur.events.push(...s.events);
  }
  return out;
}

/**
 * Seeds history fast, in process: the same ingest domain functions the batch API calls (translation,
 * enrichment, folding into rollups, settlement), but committing once at the end instead of once per
 * session as an acknowledged request must. The clock must be at or after the sessions' ends.
 */
export async function seedHistory(
  deps: HandlerDeps,
  sync: () => Promise<void>,
  agentId: string,
  sessions: GeneratedSession[],
): Promise<void> {
  const fast = { ...deps, sync: undefined };
  const now = deps.clock.now();
  for (const s of sessions) {
    await upsertSession(fast, fromBatchSession(s.session, agentId, now));
    await ingestEvents(
      fast,
      s.events.map((e) => fromBatchEvent(e, agentId)),
    );
  }
  await sync();
}
