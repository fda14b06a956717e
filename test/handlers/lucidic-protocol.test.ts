import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

describe('Lucidic wire protocol on the local runtime', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  const now = () => new Date().toISOString();

  it('runs a TS-style session end to end: init, events (child before parent), end, read back, metrics', async () => {
    // Prepare
    const agent = `agt_${randomUUID()}`;
    const init = await v.call('POST', '/api/initsession', {
      agent_id: agent,
      session_name: 'ticket-1',
      tags: ['tier:enterprise', 'eu'],
      production_monitoring: true,
      current_time: now(),
    });
    expect(init.status).toBe(201);
    const sid = init.body.session_id as string;
    const parent = randomUUID();
    const child = randomUUID();

    // Act
    const c = await v.call('POST', '/api/events', {
      client_event_id: child,
      client_parent_event_id: parent,
      session_id: sid,
      type: 'llm_generation',
      occurred_at: now(),
      duration: 1.5,
      payload: {
        request: { provider: 'openai', model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] },
        response: { output: 'hello' },
        usage: { input_tokens: 1000, output_tokens: 200, cost: 0.5 },
      },
      needs_blob: false,
      current_time: now(),
    });
    const p = await v.call('POST', '/api/events', {
      client_event_id: parent,
      session_id: sid,
      type: 'function_call',
      occurred_at: now(),
      duration: 2,
      payload: {
        function_name: 'lookup_order',
        arguments: { id: 1 },
        return_value: { error: 'connect ETIMEDOUT 10.0.0.1:443', error_type: 'TimeoutError' },
      },
      current_time: now(),
    });
    const end = await v.call('PUT', '/api/updatesession', {
      session_id: sid,
      is_finished: true,
      is_successful: false,
      session_eval: 0.4,
      current_time: now(),
    });
    const read = await v.call('GET', `/api/sessions/${sid}`);
    const metrics = await v.call('GET', `/api/agents/${agent}/production/metrics`);

    // Assess
    expect(c.status).toBe(201);
    expect(c.body).toEqual({ event_id: child, duplicate: false });
    expect(p.status).toBe(201);
    expect(end.status).toBe(200);
    expect(read.status).toBe(200);
    expect(read.body.status).toBe('finished');
    expect(read.body.events.map((e: { event_id: string }) => e.event_id).sort()).toEqual(
      [child, parent].sort(),
    );
    const llm = read.body.events.find((e: { event_id: string }) => e.event_id === child);
    expect(llm.parent_event_id).toBe(parent);
    expect(llm.cost.client_usd).toBe(0.5);
    expect(llm.cost.server_usd).toBeGreaterThan(0);
    expect(llm.cost.usd).toBe(llm.cost.server_usd);
    const tool = read.body.events.find((e: { event_id: string }) => e.event_id === parent);
    expect(tool.error.category).toBe('timeout');
    expect(metrics.status).toBe(200);
    expect(metrics.body.sessions.count).toBe(1);
    expect(metrics.body.tokens).toMatchObject({ input: 1000, output: 200, total: 1200 });
    expect(metrics.body.errors.count).toBe(1);
    expect(metrics.body.errors.by_type).toEqual({ timeout: 1 });
    expect(metrics.body.cost.total_usd).toBeCloseTo(llm.cost.usd, 9);
    expect(metrics.body.cost.p50_usd).toBeCloseTo(llm.cost.usd, 2);
    expect(metrics.body.duration.p50_ms).toBeGreaterThan(0);
  });

  it('treats a retried event as a duplicate and never counts it twice', async () => {
    const agent = `agt_${randomUUID()}`;
    const { body } = await v.call('POST', '/api/initsession', {
      agent_id: agent,
      production_monitoring: true,
    });
    const ev = {
      client_event_id: randomUUID(),
      session_id: body.session_id,
      type: 'llm_generation',
      occurred_at: now(),
      payload: { request: { model: 'gpt-4o' }, usage: { input_tokens: 10, output_tokens: 10 } },
    };
    const results = await Promise.all([1, 2, 3, 4].map(() => v.call('POST', '/api/events', ev)));
    const metrics = await v.call('GET', `/api/agents/${agent}/production/metrics?metrics=tokens`);
    expect(results.map((r) => r.status).sort()).toEqual([200, 200, 200, 201]);
    expect(metrics.body.tokens.total).toBe(20);
  });

  it('answers needs_blob with a working blob_url that accepts the gzip PUT without auth', async () => {
    const agent = `agt_${randomUUID()}`;
    const { body } = await v.call('POST', '/api/initsession', { agent_id: agent });
    const id = randomUUID();
    const res = await v.call('POST', '/api/events', {
      client_event_id: id,
      session_id: body.session_id,
      type: 'generic',
      occurred_at: now(),
      payload: { details: 'preview…' },
      needs_blob: true,
    });
    expect(res.body.blob_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/api\/blobs\//);
    const full = { details: 'x'.repeat(100_000) };
    const put = await fetch(res.body.blob_url, {
      method: 'PUT',
      headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' },
      body: gzipSync(JSON.stringify(full)),
    });
    expect(put.status).toBe(200);
    const read = await v.call('GET', `/api/sessions/${body.session_id}`);
    expect(read.body.events[0].payload).toEqual(full);
  });

  it('accepts events for a session it never saw (Python fallback ids) as a stub session', async () => {
    const sid = randomUUID();
    const res = await v.call(
      'POST',
      '/api/events',
      {
        client_event_id: randomUUID(),
        session_id: sid,
        type: 'custom_step',
        occurred_at: now(),
        payload: {},
      },
      { 'x-agent-id': `agt_${randomUUID()}` },
    );
    expect(res.status).toBe(201);
    const read = await v.call('GET', `/api/sessions/${sid}`);
    expect(read.body.stub).toBe(true);
    expect(read.body.events[0].type).toBe('custom');
    expect(read.body.events[0].raw_type).toBe('custom_step');
  });

  it('rejects a missing or wrong key with 401 and bad fields with a 400 naming the field', async () => {
    const noKey = await fetch(`${v.url}/api/initsession`, { method: 'POST', body: '{}' });
    const wrong = await v.call(
      'POST',
      '/api/initsession',
      { agent_id: 'a' },
      { authorization: 'Api-Key nope' },
    );
    const bad = await v.call('POST', '/api/events', {
      client_event_id: 'x',
      session_id: 'y',
      payload: { usage: { input_tokens: -5 } },
    });
    expect(noKey.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/^payload\.usage\.input_tokens: /);
  });
});
