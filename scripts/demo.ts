/**
 * `npm run demo`: fills a running Vigil with a realistic month of traffic for a few agents, through the
 * real batch API (and the Lucidic evals endpoint for rubric results). Deterministic for a seed: the same
 * seed gives the same sessions, anchored to the current hour.
 *
 *   npm run demo -- [--url http://127.0.0.1:8000] [--key <ingest key>] [--sessions 3000] [--days 30] [--seed 42]
 *
 * The story in the data: several models and prices; tags tier / feature / version; a deploy (version
 * 1.5.0) ten days ago that makes support-bot slower; a cost spike (a prompt regression) for
 * research-agent five days ago; error bursts of different categories (rate limits, timeouts, a tool
 * outage); a long tail of expensive sessions; an experiment beside production; a sampled agent.
 */
import { pathToFileURL } from 'node:url';

export interface DemoOptions {
  url: string;
  key: string;
  /** Sessions over all agents. @default 3000 */
  sessions?: number;
  /** How far back the traffic goes. @default 30 */
  days?: number;
  seed?: number;
  /** Reference time; traffic ends at the start of its hour. @default Date.now() */
  now?: number;
  /** Progress on stderr. @default true */
  progress?: boolean;
  concurrency?: number;
}

export interface DemoResult {
  sessions: number;
  events: number;
  evals: number;
  rejected: number;
  seconds: number;
}

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** mulberry32: small, fast, deterministic. */
function rng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
    chance: (p: number) => next() < p,
    /** Log-normal around `median` with spread `sigma`. */
    logNormal: (median: number, sigma: number) => {
      const u = Math.max(next(), 1e-12);
      const v = next();
      return median * Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
    },
    weighted: <T>(items: ReadonlyArray<readonly [T, number]>): T => {
      const total = items.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [v, w] of items) {
        r -= w;
        if (r <= 0) return v;
      }
      return items[items.length - 1]![0];
    },
  };
}
type Rng = ReturnType<typeof rng>;

interface AgentProfile {
  id: string;
  share: number;
  models: ReadonlyArray<readonly [string, string, number]>;
  features: readonly string[];
  steps: [number, number];
  inputTokens: number;
  sampleRate?: number;
}

const AGENTS: AgentProfile[] = [
  {
    id: 'support-bot',
    share: 0.5,
    models: [
      ['gpt-4o', 'openai', 5],
      ['gpt-4o-mini', 'openai', 4],
      ['claude-haiku-4-5', 'anthropic', 1],
    ],
    features: ['chat', 'refund', 'order-status', 'escalation'],
    steps: [1, 5],
    inputTokens: 2500,
  },
  {
    id: 'research-agent',
    share: 0.2,
    models: [
      ['claude-sonnet-4-5', 'anthropic', 6],
      ['gpt-4.1', 'openai', 3],
      ['o3', 'openai', 1],
    ],
    features: ['report', 'search', 'summarize'],
    steps: [3, 12],
    inputTokens: 9000,
  },
  {
    id: 'triage-bot',
    share: 0.3,
    models: [
      ['gemini-2.5-flash', 'google', 7],
      ['gpt-4o-mini', 'openai', 3],
    ],
    features: ['classify', 'route'],
    steps: [1, 2],
    inputTokens: 800,
    sampleRate: 0.5,
  },
];

const TIERS = [
  ['free', 6],
  ['pro', 3],
  ['enterprise', 1],
] as const;

interface Batch {
  agent_id: string;
  sessions: Array<Record<string, unknown>>;
  events: Array<Record<string, unknown>>;
  evals: Array<{ session_id: string; name: string; result: boolean | number | string; result_type: string }>;
}

/** Scenario knobs in "days ago" (relative to the end of the traffic). */
const DEPLOY_DAYS_AGO = 10;
const SPIKE = [5, 4] as const;
const RATE_LIMIT_BURST = [3, 2.7] as const;
const TIMEOUT_BURST = [12, 11.7] as const;
const TOOL_OUTAGE = [7.5, 7.2] as const;

function inWindow(t: number, end: number, [fromDaysAgo, toDaysAgo]: readonly [number, number]): boolean {
  return t >= end - fromDaysAgo * DAY && t < end - toDaysAgo * DAY;
}

/** Builds one session with its events (and maybe rubric results). */
function session(r: Rng, p: AgentProfile, n: number, start: number, end: number, now: number): Batch {
  const sid = `demo-${p.id}-${String(n).padStart(6, '0')}`;
  const tier = r.weighted(TIERS);
  const feature = r.pick(p.features);
  const deployed = start >= end - DEPLOY_DAYS_AGO * DAY;
  const version = deployed ? '1.5.0' : '1.4.2';
  const experiment = r.chance(0.05) ? 'prompt-v2' : null;
  const spike = p.id === 'research-agent' && inWindow(start, end, SPIKE);
  // A long tail: most sessions are short, a few run many steps with growing contexts.
  const tail = r.chance(0.015);
  const steps = tail ? r.int(15, 35) : r.int(p.steps[0], p.steps[1]);
  const events: Array<Record<string, unknown>> = [];
  let t = start + r.int(50, 400);
  let errors = 0;
  const root = `${sid}-root`;
  events.push({
    event_id: root,
    session_id: sid,
    type: 'generic',
    name: `${feature}-run`,
    started_at: iso(t),
  });
  for (let i = 0; i < steps; i++) {
    const [model, provider] = r.weighted(p.models.map((m) => [[m[0], m[1]] as const, m[2]] as const));
    const slow = p.id === 'support-bot' && deployed ? 1.6 : 1;
    const latency = Math.round(
      r.logNormal(model.includes('mini') || model.includes('flash') ? 600 : 1400, 0.5) * slow,
    );
    const context = Math.round(
      r.logNormal(p.inputTokens, 0.6) * (1 + i * (tail ? 0.5 : 0.15)) * (spike ? 4 : 1),
    );
    const output = Math.round(r.logNormal(p.inputTokens / 8, 0.5));
    const llmId = `${sid}-llm-${i}`;
    const llm: Record<string, unknown> = {
      event_id: llmId,
      session_id: sid,
      parent_event_id: root,
      type: 'llm',
      name: `${feature}.step${i + 1}`,
      started_at: iso(t),
      duration_ms: latency,
      model,
      provider,
      usage: {
        input_tokens: context,
        output_tokens: output,
        cached_input_tokens: r.chance(0.4) ? Math.round(context * 0.5) : 0,
      },
      payload: {
        messages: [
          { role: 'system', content: `You are ${p.id}. Tier: ${tier}.` },
          { role: 'user', content: `Request ${n}.${i}: help with ${feature}` },
        ],
        response: `Step ${i + 1} done for ${feature}.`,
      },
    };
    const rateLimited = inWindow(t, end, RATE_LIMIT_BURST) && provider === 'openai' && r.chance(0.6);
    const timedOut = inWindow(t, end, TIMEOUT_BURST) && r.chance(0.5);
    if (rateLimited) {
      llm.error = { message: 'Rate limit reached for requests', type: 'RateLimitError', status_code: 429 };
      llm.usage = null;
      errors++;
    } else if (timedOut) {
      llm.error = {
        message: 'Request timed out',
        type: 'APITimeoutError',
        stack: 'at OpenAI.request (client.ts:512)',
      };
      llm.duration_ms = 30_000;
      errors++;
    } else if (context > 120_000 && r.chance(0.5)) {
      llm.error = {
        message: `This model's maximum context length is 128000 tokens. However, your messages resulted in ${context} tokens`,
        type: 'BadRequestError',
        status_code: 400,
      };
      errors++;
    } else if (r.chance(0.004)) {
      llm.error = { message: 'Internal server error', type: 'APIError', status_code: 500 };
      errors++;
    }
    events.push(llm);
    t += Number(llm.duration_ms) + r.int(20, 200);
    if (r.chance(0.55)) {
      const tool = r.pick(['search_kb', 'lookup_order', 'web_fetch', 'send_email'] as const);
      const toolEvent: Record<string, unknown> = {
        event_id: `${sid}-tool-${i}`,
        session_id: sid,
        parent_event_id: llmId,
        type: 'tool',
        name: tool,
        started_at: iso(t),
        duration_ms: Math.round(r.logNormal(tool === 'web_fetch' ? 900 : 180, 0.7)),
        payload: { arguments: { query: `${feature} ${i}` }, result: 'ok' },
      };
      const outage =
        inWindow(t, end, TOOL_OUTAGE) && (tool === 'lookup_order' || tool === 'send_email') && r.chance(0.9);
      if (outage || r.chance(0.01)) {
        toolEvent.error = {
          message: outage
            ? 'orders-api: connection refused (ECONNREFUSED 10.0.3.7:443)'
            : `${tool} failed: invalid arguments`,
          type: outage ? 'ConnectionError' : 'ToolError',
          stack: `at ${tool} (tools/${tool}.ts:${outage ? 41 : 88})`,
        };
        errors++;
      }
      events.push(toolEvent);
      t += Number(toolEvent.duration_ms) + r.int(10, 80);
    }
  }
  const running = end - start < 20 * 60_000 && r.chance(0.5);
  const success = errors === 0 ? r.chance(experiment ? 0.93 : 0.88) : r.chance(0.25);
  const s: Record<string, unknown> = {
    session_id: sid,
    name: `${feature} #${n}`,
    production_monitoring: experiment === null,
    tags: [`tier:${tier}`, `feature:${feature}`, `version:${version}`],
    experiment_id: experiment,
    started_at: iso(start),
    ...(p.sampleRate ? { sample_rate: p.sampleRate } : {}),
  };
  if (!running) {
    s.ended_at = iso(Math.min(t + r.int(100, 2000), now));
    s.is_successful = success;
    if (r.chance(0.4))
      s.session_eval = Math.round((success ? 0.6 + r.next() * 0.4 : r.next() * 0.6) * 100) / 100;
  }
  const evals: Batch['evals'] = [];
  if (!running && r.chance(0.04)) {
    evals.push({
      session_id: sid,
      name: 'helpful',
      result: success || r.chance(0.2),
      result_type: 'boolean',
    });
    evals.push({
      session_id: sid,
      name: 'accuracy',
      result: r.int(success ? 3 : 1, 5),
      result_type: 'number',
    });
    evals.push({
      session_id: sid,
      name: 'tone',
      result: r.pick(['friendly', 'neutral', 'curt']),
      result_type: 'string',
    });
  }
  return { agent_id: p.id, sessions: [s], events, evals };
}

const iso = (ms: number): string => new Date(ms).toISOString();

/** Session start times: a daily rhythm (busier in working hours) and weekday/weekend difference. */
function startTimes(r: Rng, count: number, from: number, end: number): number[] {
  const out: number[] = [];
  while (out.length < count) {
    const t = from + r.next() * (end - from);
    const d = new Date(t);
    const hourWeight = 0.3 + Math.max(0, Math.sin(((d.getUTCHours() - 6) / 24) * 2 * Math.PI));
    const weekend = d.getUTCDay() === 0 || d.getUTCDay() === 6 ? 0.6 : 1;
    if (r.next() < (hourWeight / 1.3) * weekend) out.push(Math.floor(t));
  }
  return out.sort((a, b) => a - b);
}

async function post(
  url: string,
  key: string,
  path: string,
  body: unknown,
): Promise<{ status: number; json: unknown }> {
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(url + path, {
      method: 'POST',
      headers: { authorization: `Api-Key ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    const text = await res.text();
    if ((res.status === 503 || res.status === 409) && attempt < 5) {
      await new Promise((ok) => setTimeout(ok, 200 * (attempt + 1)));
      continue;
    }
    if (res.status >= 400 && res.status !== 207)
      throw new Error(`${path}: HTTP ${res.status}: ${text.slice(0, 300)}`);
    return { status: res.status, json: text ? JSON.parse(text) : null };
  }
}

function bar(done: number, total: number, started: number): string {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const secs = (Date.now() - started) / 1000;
  return `\r  [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${Math.round((done / total) * 100)}% ${done}/${total} sessions  ${secs.toFixed(1)} s`;
}

/** Generates and sends the demo traffic; resolves when every batch is acknowledged. */
export async function runDemo(o: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const total = o.sessions ?? 3000;
  const days = o.days ?? 30;
  const end = Math.floor((o.now ?? Date.now()) / HOUR) * HOUR;
  const now = o.now ?? Date.now();
  const r = rng(o.seed ?? 42);
  // Start an hour in, so a `range=<days>d` view holds all of it and its previous period none.
  const from = end - days * DAY + HOUR;
  const batches: Batch[] = [];
  for (const p of AGENTS) {
    const count = Math.round(total * p.share);
    const times = startTimes(r, count, from, end);
    let current: Batch | null = null;
    times.forEach((t, n) => {
      const s = session(r, p, n, t, end, now);
      if (!current || current.sessions.length >= 100 || current.events.length + s.events.length > 1000) {
        current = { agent_id: p.id, sessions: [], events: [], evals: [] };
        batches.push(current);
      }
      current.sessions.push(...s.sessions);
      current.events.push(...s.events);
      current.evals.push(...s.evals);
    });
  }
  const result: DemoResult = { sessions: 0, events: 0, evals: 0, rejected: 0, seconds: 0 };
  let next = 0;
  const show = o.progress ?? true;
  const worker = async () => {
    while (next < batches.length) {
      const b = batches[next++]!;
      const res = (await post(o.url, o.key, '/api/v1/batch', {
        agent_id: b.agent_id,
        sessions: b.sessions,
        events: b.events,
      })) as { json: { accepted: number; rejected: number } };
      result.rejected += res.json.rejected;
      for (const e of b.evals) {
        await post(o.url, o.key, '/api/sdk/evals', e);
        result.evals++;
      }
      result.sessions += b.sessions.length;
      result.events += b.events.length;
      if (show) process.stderr.write(bar(result.sessions, total, started));
    }
  };
  await Promise.all(Array.from({ length: o.concurrency ?? 4 }, worker));
  result.seconds = (Date.now() - started) / 1000;
  if (show) process.stderr.write('\n');
  return result;
}

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const url = arg('url') ?? process.env.VIGIL_URL ?? `http://127.0.0.1:${process.env.PORT ?? 8000}`;
  const key = arg('key') ?? process.env.VIGIL_API_KEY;
  if (!key) throw new Error('an ingest key is needed: --key <key> or VIGIL_API_KEY=<key>');
  const sessions = Number(arg('sessions') ?? 3000);
  const days = Number(arg('days') ?? 30);
  const seed = Number(arg('seed') ?? 42);
  if (!(sessions > 0) || !(days > 0 && days <= 390) || !Number.isFinite(seed)) {
    throw new Error('--sessions must be > 0, --days within 1..390, --seed a number');
  }
  console.error(`Sending ${sessions} demo sessions over ${days} days to ${url} (seed ${seed})`);
  const r = await runDemo({ url, key, sessions, days, seed });
  console.error(
    `Done: ${r.sessions} sessions, ${r.events} events, ${r.evals} rubric results in ${r.seconds.toFixed(1)} s` +
      (r.rejected ? ` (${r.rejected} rejected)` : ''),
  );
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exit(1);
  });
}
