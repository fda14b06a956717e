import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

describe('per-agent prices, evaluations and the metrics API options', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  const t = () => new Date(Date.now() - 120_000).toISOString();
  const llm = (sid: string, model: string) => ({
    event_id: randomUUID(),
    session_id: sid,
    type: 'llm',
    started_at: t(),
    model,
    usage: { input_tokens: 1_000_000, output_tokens: 1_000_000 },
  });

  it('prices an agent with its own overrides, and a model nobody prices as unpriced (never $0)', async () => {
    const agent = `agt_${randomUUID()}`;
    const put = await v.call('PUT', `/api/admin/agents/${agent}/prices`, {
      overrides: [{ model: 'my-finetune', input_per_mtok: 1, output_per_mtok: 2 }],
    });
    const sid = randomUUID();
    await v.call('POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [{ session_id: sid, production_monitoring: true, started_at: t(), finished: true }],
      events: [llm(sid, 'my-finetune'), llm(sid, 'totally-unknown-model')],
    });
    const metrics = await v.call('GET', `/api/agents/${agent}/production/metrics?metrics=cost`);
    const other = `agt_${randomUUID()}`;
    await v.call('POST', '/api/v1/batch', { agent_id: other, events: [llm(randomUUID(), 'my-finetune')] });
    const otherMetrics = await v.call(
      'GET',
      `/api/agents/${other}/production/metrics?metrics=cost&production=all`,
    );
    expect(put.status).toBe(200);
    expect(metrics.body.cost.total_usd).toBeCloseTo(3, 9);
    expect(metrics.body.cost.unpriced_events).toBe(1);
    expect(otherMetrics.body.cost).toMatchObject({ total_usd: 0, unpriced_events: 1 });
  });

  it('rejects a bad override naming the field', async () => {
    const res = await v.call('PUT', '/api/admin/agents/x/prices', {
      overrides: [{ model: 'm', input_per_mtok: -1, output_per_mtok: 1 }],
    });
    expect(res.status).toBe(400);
    expect(res.body.field).toBe('overrides[0].input_per_mtok');
  });

  it('stores per-rubric results from the Python SDK evals endpoint on the session', async () => {
    const agent = `agt_${randomUUID()}`;
    const { body } = await v.call('POST', '/api/initsession', {
      agent_id: agent,
      evaluators: ['helpfulness'],
    });
    const a = await v.call('POST', '/api/sdk/evals', {
      session_id: body.session_id,
      name: 'helpfulness',
      result: 0.8,
    });
    const b = await v.call('POST', '/api/sdk/evals', {
      session_id: body.session_id,
      name: 'grounded',
      result: true,
    });
    const read = await v.call('GET', `/api/sessions/${body.session_id}`);
    expect([a.status, b.status]).toEqual([201, 201]);
    expect(read.body.rubrics).toEqual(['helpfulness']);
    expect(
      read.body.evals.map((e: { name: string; resultType: string; result: unknown }) => [
        e.name,
        e.resultType,
        e.result,
      ]),
    ).toEqual([
      ['helpfulness', 'number', 0.8],
      ['grounded', 'boolean', true],
    ]);
  });

  it('answers the seed metrics API by GET and by POST body, over production, non-production or all sessions', async () => {
    const agent = `agt_${randomUUID()}`;
    const prod = randomUUID();
    const dev = randomUUID();
    await v.call('POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [
        { session_id: prod, production_monitoring: true, started_at: t(), finished: true },
        { session_id: dev, production_monitoring: false, started_at: t(), finished: true },
      ],
      events: [llm(prod, 'gpt-4o-mini'), llm(dev, 'gpt-4o-mini'), llm(dev, 'gpt-4o-mini')],
    });
    const day = new Date().toISOString().slice(0, 10);
    const get = await v.call(
      'GET',
      `/api/agents/${agent}/production/metrics?start_date=${day}&end_date=${day}&metrics=sessions,tokens`,
    );
    const post = await v.call('POST', `/api/agents/${agent}/production/metrics`, {
      start_date: day,
      end_date: day,
      metrics: ['sessions', 'tokens'],
    });
    const dev_ = await v.call(
      'GET',
      `/api/agents/${agent}/production/metrics?production=false&metrics=sessions`,
    );
    const all = await v.call(
      'GET',
      `/api/agents/${agent}/production/metrics?production=all&metrics=sessions`,
    );
    const bad = await v.call('GET', `/api/agents/${agent}/production/metrics?metrics=latency`);
    expect(get.body).toEqual(post.body);
    expect(get.body.sessions.count).toBe(1);
    expect(get.body.tokens.input).toBe(1_000_000);
    expect(get.body.cost).toBeUndefined();
    expect(dev_.body.sessions.count).toBe(1);
    expect(all.body.sessions.count).toBe(2);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^metrics: unknown metric "latency"/);
  });
});
