import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DropInfo } from '../../sdk/src/index';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { client, metrics, newAgent, recordingFetch } from './support';

const answer = (status: number, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify({ detail: `injected ${status}` }), {
    status,
    headers: { 'content-type': 'application/json', ...headers },
  });

describe('SDK retries against the local runtime', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  it('retries a batch whose response was lost, and the server counts it once', async () => {
    // Prepare: the first request reaches the server and is stored, then the connection "drops"
    const agent = newAgent();
    const { fetch, requests } = recordingFetch(async (_req, n, send) => {
      const res = await send();
      if (n === 1) throw new TypeError('fetch failed: socket hang up');
      return res;
    });
    const vigil = client(v, agent, { fetch, productionMonitoring: true });
    const session = vigil.session();
    for (let i = 0; i < 3; i++) {
      session.llm({ model: 'gpt-4o', usage: { inputTokens: 1_000_000, outputTokens: 100_000 } });
    }
    session.end({ success: true });

    // Act
    const flushed = await vigil.flush();
    const m = await metrics(v, agent);

    // Assess
    expect(flushed.ok).toBe(true);
    expect(requests).toHaveLength(2);
    expect(requests[1]!.body).toEqual(requests[0]!.body);
    // the retried session upsert is an idempotent merge (answered "accepted"); the events are duplicates
    expect(vigil.stats()).toMatchObject({ retries: 1, accepted: 1, duplicates: 3 });
    expect(m.sessions.count).toBe(1);
    expect(m.tokens.input).toBe(3_000_000);
    expect(m.cost.total_usd).toBeCloseTo(3 * 3.5, 6);
    await vigil.shutdown();
  });

  it('retries 503 and 429 with backoff and honours Retry-After', async () => {
    // Prepare
    const agent = newAgent();
    const at: number[] = [];
    const { fetch, requests } = recordingFetch(async (_req, n, send) => {
      at.push(performance.now());
      if (n === 1) return answer(503);
      if (n === 2) return answer(429, { 'retry-after': '0.2' });
      return send();
    });
    const vigil = client(v, agent, { fetch, retryMaxMs: 1000 });
    const session = vigil.session();
    session.event({ name: 'hello' });
    session.end();

    // Act
    const flushed = await vigil.flush();

    // Assess
    expect(flushed.ok).toBe(true);
    expect(requests.map((r) => r.status)).toEqual([503, 429, 200]);
    expect(at[2]! - at[1]!).toBeGreaterThanOrEqual(190);
    expect(vigil.stats()).toMatchObject({ retries: 2, accepted: 2 });
    await vigil.shutdown();
  });

  it('does not retry a refused key: the batch is dropped and reported', async () => {
    // Prepare
    const agent = newAgent();
    const drops: DropInfo[] = [];
    const { fetch, requests } = recordingFetch();
    const vigil = client(v, agent, { fetch, apiKey: 'vgl_not_a_key', onDrop: (d) => drops.push(d) });
    const session = vigil.session();
    session.event({ name: 'x' });
    session.end();

    // Act
    const flushed = await vigil.flush();

    // Assess
    expect(requests).toHaveLength(1);
    expect(requests[0]!.status).toBe(401);
    expect(flushed).toMatchObject({ ok: false, pending: 0, dropped: 2 });
    expect(drops).toEqual([expect.objectContaining({ reason: 'send_failed', sessions: 1, events: 1 })]);
    expect(drops[0]!.detail).toMatch(/^HTTP 401/);
    await vigil.shutdown();
  });

  it('gives up after maxRetries and reports the loss', async () => {
    // Prepare
    const agent = newAgent();
    const drops: DropInfo[] = [];
    const { fetch, requests } = recordingFetch(async () => answer(500));
    const vigil = client(v, agent, { fetch, maxRetries: 2, onDrop: (d) => drops.push(d) });
    vigil.session().end();

    // Act
    const flushed = await vigil.flush();

    // Assess
    expect(requests).toHaveLength(3);
    expect(flushed.ok).toBe(false);
    expect(drops[0]).toMatchObject({ reason: 'send_failed', sessions: 1 });
    expect(drops[0]!.detail).toMatch(/HTTP 500: injected 500; gave up after 3 attempts/);
    await vigil.shutdown();
  });

  it('splits a batch the server calls too large until each part fits', async () => {
    // Prepare
    const agent = newAgent();
    const { fetch, requests } = recordingFetch(async (req, _n, send) =>
      req.body.events.length > 2 ? answer(413) : send(),
    );
    const vigil = client(v, agent, { fetch });
    const session = vigil.session();
    for (let i = 0; i < 7; i++) session.event({ name: `e${i}` });
    session.end();

    // Act
    const flushed = await vigil.flush();

    // Assess
    expect(flushed.ok).toBe(true);
    const delivered = requests.filter((r) => r.status === 200).flatMap((r) => r.body.events);
    expect(delivered.map((e) => e.name).sort()).toEqual(['e0', 'e1', 'e2', 'e3', 'e4', 'e5', 'e6']);
    expect(vigil.stats()).toMatchObject({ accepted: 8, duplicates: 0 });
    await vigil.shutdown();
  });

  it('reports items the server rejects one by one (207)', async () => {
    // Prepare
    const agent = newAgent();
    const drops: DropInfo[] = [];
    const vigil = client(v, agent, { onDrop: (d) => drops.push(d) });
    const session = vigil.session();
    session.event({ name: 'too old', startedAt: Date.parse('1999-01-01T00:00:00Z') });
    session.event({ name: 'fine' });
    session.end();

    // Act
    await vigil.flush();

    // Assess
    expect(vigil.stats()).toMatchObject({ accepted: 2, rejected: 1 });
    expect(drops).toEqual([expect.objectContaining({ reason: 'rejected', events: 1 })]);
    expect(drops[0]!.detail).toMatch(/started_at: is more than 400 days in the past/);
    await vigil.shutdown();
  });
});
