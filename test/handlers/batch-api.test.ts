import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

describe('Vigil batch API', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  const t = (offsetMs = 0) => new Date(Date.now() - 60_000 + offsetMs).toISOString();

  function llm(sessionId: string, extra: Record<string, unknown> = {}) {
    return {
      event_id: randomUUID(),
      session_id: sessionId,
      type: 'llm',
      started_at: t(),
      duration_ms: 800,
      model: 'gpt-4o',
      provider: 'openai',
      usage: { input_tokens: 1_000_000, output_tokens: 100_000 },
      ...extra,
    };
  }

  it('accepts sessions and events in one request with per-item results', async () => {
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const res = await v.call('POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [
        {
          session_id: sid,
          production_monitoring: true,
          started_at: t(),
          ended_at: t(5000),
          is_successful: true,
        },
      ],
      events: [llm(sid), llm(sid), { ...llm(sid), usage: { input_tokens: -1 } }],
    });
    expect(res.status).toBe(207);
    expect(res.body).toMatchObject({ accepted: 3, duplicates: 0, rejected: 1 });
    expect(res.body.events[2]).toMatchObject({ index: 2, status: 'rejected' });
    expect(res.body.events[2].reason).toMatch(/^events\[2\]\.usage\.input_tokens: /);
  });

  it('is idempotent: the same batch twice changes no count or sum', async () => {
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const batch = {
      agent_id: agent,
      sessions: [{ session_id: sid, production_monitoring: true, started_at: t(), finished: true }],
      events: [llm(sid), llm(sid), llm(sid)],
    };
    const window = `start_date=${t(-86_400_000)}&end_date=${t(86_400_000)}`;
    const first = await v.call('POST', '/api/v1/batch', batch);
    const before = await v.call('GET', `/api/agents/${agent}/production/metrics?${window}`);
    const second = await v.call('POST', '/api/v1/batch', batch);
    const after = await v.call('GET', `/api/agents/${agent}/production/metrics?${window}`);
    expect(first.body.accepted).toBe(4);
    expect(second.body.duplicates).toBe(3);
    expect(after.body).toEqual(before.body);
    expect(after.body.sessions.count).toBe(1);
    // gpt-4o: 1M input tokens at $2.50 + 100k output at $10/M = $3.50 per call
    expect(after.body.cost.total_usd).toBeCloseTo(3 * 3.5, 6);
  });

  it('settles a session sent with its events even when every event is a duplicate', async () => {
    // Prepare: the session and its events, still running.
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const events = [llm(sid), llm(sid)];
    const session = { session_id: sid, production_monitoring: true, started_at: t() };
    await v.call('POST', '/api/v1/batch', { agent_id: agent, sessions: [session], events });
    const running = await v.call('GET', `/api/agents/${agent}/production/metrics`);
    // Act: the SDK retries the events with the session's end (its settlement waits for the events).
    const res = await v.call('POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [{ ...session, ended_at: t(5000), finished: true, is_successful: true }],
      events,
    });
    // Assess
    const done = await v.call('GET', `/api/agents/${agent}/production/metrics`);
    expect(res.body).toMatchObject({ accepted: 1, duplicates: 2 });
    expect(running.body.sessions.success_rate).toBeNull();
    expect(done.body.sessions.success_rate).toBe(1);
    expect(done.body.sessions.count).toBe(1);
  });

  it('weights a sampled session by 1 / sample_rate in aggregates', async () => {
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    await v.call('POST', '/api/v1/batch', {
      agent_id: agent,
      sessions: [
        { session_id: sid, production_monitoring: true, sample_rate: 0.25, started_at: t(), finished: true },
      ],
      events: [llm(sid)],
    });
    const m = await v.call('GET', `/api/agents/${agent}/production/metrics`);
    expect(m.body.sessions.count).toBe(4);
    expect(m.body.tokens.input).toBe(4_000_000);
  });

  it('takes gzip bodies', async () => {
    const agent = `agt_${randomUUID()}`;
    const sid = randomUUID();
    const res = await fetch(`${v.url}/api/v1/batch`, {
      method: 'POST',
      headers: {
        authorization: `Api-Key ${v.key}`,
        'content-type': 'application/json',
        'content-encoding': 'gzip',
      },
      body: gzipSync(
        JSON.stringify({ agent_id: agent, sessions: [{ session_id: sid }], events: [llm(sid)] }),
      ),
    });
    expect(res.status).toBe(200);
    expect((await res.json()).accepted).toBe(2);
  });

  it('answers bad envelopes with 400 naming the field, and oversized bodies with 413', async () => {
    const notJson = await v.call('POST', '/api/v1/batch', '{"events": [');
    const wrongType = await v.call('POST', '/api/v1/batch', { events: 'nope' });
    const unknownField = await v.call('POST', '/api/v1/batch', { evnts: [] });
    const big = await v.call('POST', '/api/v1/batch', {
      events: [{ payload: 'x'.repeat(11 * 1024 * 1024) }],
    });
    expect(notJson.status).toBe(400);
    expect(notJson.body.detail).toMatch(/^body: malformed JSON/);
    expect(wrongType.status).toBe(400);
    expect(wrongType.body.field).toBe('events');
    expect(unknownField.status).toBe(400);
    expect(big.status).toBe(413);
  });

  it('rejects events far in the future or past, naming started_at', async () => {
    const sid = randomUUID();
    const res = await v.call('POST', '/api/v1/batch', {
      agent_id: `agt_${randomUUID()}`,
      events: [
        llm(sid, { started_at: new Date(Date.now() + 3 * 3_600_000).toISOString() }),
        llm(sid, { started_at: '1999-01-01T00:00:00Z' }),
      ],
    });
    expect(res.body.rejected).toBe(2);
    expect(res.body.events[0].reason).toMatch(/started_at: is more than 1 hour in the future/);
    expect(res.body.events[1].reason).toMatch(/started_at: is more than 400 days in the past/);
  });

  it('limits a scoped key to its agents', async () => {
    const mine = `agt_${randomUUID()}`;
    const created = await v.call('POST', '/api/admin/keys', {
      name: 'svc',
      scopes: ['ingest'],
      agents: [mine],
    });
    const key = created.body.key as string;
    const ok = await v.call(
      'POST',
      '/api/v1/batch',
      { agent_id: mine, sessions: [{ session_id: randomUUID() }] },
      { authorization: `Api-Key ${key}` },
    );
    const other = await v.call(
      'POST',
      '/api/v1/batch',
      { agent_id: 'someone-else', sessions: [{ session_id: randomUUID() }] },
      { authorization: `Api-Key ${key}` },
    );
    const read = await v.call('GET', `/api/agents/${mine}/production/metrics`, undefined, {
      authorization: `Api-Key ${key}`,
    });
    expect(ok.status).toBe(200);
    expect(other.status).toBe(403);
    expect(other.body.detail).toMatch(/may not access agent "someone-else"/);
    expect(read.status).toBe(403);
  });
});
