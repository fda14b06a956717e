import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchBody, batchEvent, batchSession } from '../../contracts/native';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { client, getSession, metrics, newAgent, recordingFetch, sleep } from './support';

describe('SDK delivery to the local runtime', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  it('delivers a session with nested spans, tools, LLM calls, custom events and errors intact', async () => {
    // Prepare
    const agent = newAgent();
    const vigil = client(v, agent);
    const session = vigil.session({
      sessionName: 'refund request',
      task: 'answer a refund question',
      tags: ['tier:enterprise', 'region:eu'],
      rubrics: ['helpful'],
      productionMonitoring: true,
    });
    const search = session.tool('search_docs', async (query: string) => {
      await sleep(30);
      session.llm({
        model: 'gpt-4o',
        provider: 'openai',
        usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000 },
        durationMs: 820,
        input: [{ role: 'user', content: query }],
        output: 'rewritten query',
      });
      return [`doc about ${query}`];
    });

    // Act
    const docs = await session.span('answer', async () => {
      const found = await search('refunds');
      session.event({ name: 'cache_miss', metadata: { key: 'refunds' } });
      return found;
    });
    session.error(new TypeError('bad tool output'), { name: 'parse' });
    session.end({ success: true, reason: 'answered', evaluation: 0.8, evaluationReason: 'good' });
    const flushed = await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(docs).toEqual(['doc about refunds']);
    expect(flushed).toEqual({ ok: true, pending: 0, dropped: 0 });
    expect(res.status).toBe(200);
    const s = res.body;
    expect(s).toMatchObject({
      session_id: session.id,
      agent_id: agent,
      name: 'refund request',
      task: 'answer a refund question',
      tags: ['tier:enterprise', 'region:eu'],
      rubrics: ['helpful'],
      production_monitoring: true,
      sample_rate: 1,
      status: 'finished',
      is_successful: true,
      is_successful_reason: 'answered',
      session_eval: 0.8,
      session_eval_reason: 'good',
      totals: {
        events: 5,
        llm_calls: 1,
        errors: 1,
        input_tokens: 1200,
        output_tokens: 300,
        cached_input_tokens: 1000,
      },
    });
    const byType = (t: string) => s.events.filter((e: { type: string }) => e.type === t);
    const [span] = byType('generic');
    const [tool] = byType('tool');
    const [llm] = byType('llm');
    const [custom] = byType('custom');
    const [error] = byType('error');
    expect(span).toMatchObject({ name: 'answer', parent_event_id: null });
    expect(tool).toMatchObject({
      name: 'search_docs',
      parent_event_id: span.event_id,
      payload: { input: ['refunds'], output: ['doc about refunds'] },
    });
    expect(tool.duration_ms).toBeGreaterThanOrEqual(25);
    expect(span.duration_ms).toBeGreaterThanOrEqual(tool.duration_ms);
    expect(llm).toMatchObject({
      parent_event_id: tool.event_id,
      model: 'gpt-4o',
      provider: 'openai',
      duration_ms: 820,
      usage: { input_tokens: 1200, output_tokens: 300, cached_input_tokens: 1000, reasoning_tokens: 0 },
      payload: { input: [{ role: 'user', content: 'refunds' }], output: 'rewritten query' },
    });
    expect(llm.cost.usd).toBeGreaterThan(0);
    expect(custom).toMatchObject({
      name: 'cache_miss',
      parent_event_id: span.event_id,
      metadata: { key: 'refunds' },
    });
    expect(error).toMatchObject({ name: 'parse', error: { type: 'TypeError', message: 'bad tool output' } });
    await vigil.shutdown();
  });

  it('sends gzip bodies that the batch API contract accepts, sessions before their events', async () => {
    // Prepare
    const agent = newAgent();
    const { fetch, requests } = recordingFetch();
    const vigil = client(v, agent, { fetch });
    const session = vigil.session({ sessionName: 'contract', tags: ['a:b'], experimentId: 'exp-1' });
    const timer = session.start('llm', { model: 'claude-sonnet-4-5', provider: 'anthropic' });
    session.llm({
      model: 'gpt-4o-mini',
      usage: { inputTokens: 10, outputTokens: 5, reasoningTokens: 2 },
      costUsd: 0.01,
    });
    session.event({ type: 'generic', name: 'step', payload: { any: ['shape'] } });
    timer.fail(Object.assign(new Error('overloaded'), { status: 529 }));
    session.error('a string thrown');
    session.end({ success: false });

    // Act
    await vigil.flush();

    // Assess
    expect(requests.length).toBeGreaterThan(0);
    const sessions = requests.flatMap((r) => r.body.sessions);
    const events = requests.flatMap((r) => r.body.events);
    for (const r of requests) {
      expect(r.gzip).toBe(true);
      expect(r.headers.authorization).toBe(`Api-Key ${v.key}`);
      expect(r.status).toBe(200);
      expect(batchBody.safeParse(r.body).success).toBe(true);
      expect(r.body.agent_id).toBe(agent);
    }
    for (const s of sessions) expect(batchSession.parse(s)).toBeTruthy();
    for (const e of events) expect(batchEvent.parse(e)).toBeTruthy();
    expect(events).toHaveLength(4);
    expect(requests[0]!.body.sessions[0]).toMatchObject({ session_id: session.id, experiment_id: 'exp-1' });
    const failed = events.find((e) => e.model === 'claude-sonnet-4-5');
    expect(failed.error).toMatchObject({ message: 'overloaded', status_code: 529 });
    expect(events.find((e) => e.type === 'error').error).toMatchObject({ message: 'a string thrown' });
    await vigil.shutdown();
  });

  it('measures timers from start() to end() and nests what runs inside them', async () => {
    // Prepare
    const agent = newAgent();
    const vigil = client(v, agent);
    const session = vigil.session();
    const parent = session.start('custom', { name: 'pipeline' });

    // Act
    const childId = await parent.run(async () => {
      await sleep(40);
      return session.llm({ model: 'gpt-4o', usage: { inputTokens: 1, outputTokens: 1 } });
    });
    parent.end({ output: 'done' });
    parent.end({ output: 'ignored: a timer records once' });
    session.end();
    await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    const pipeline = res.body.events.find((e: { name: string }) => e.name === 'pipeline');
    const child = res.body.events.find((e: { event_id: string }) => e.event_id === childId);
    expect(res.body.events).toHaveLength(2);
    expect(pipeline.duration_ms).toBeGreaterThanOrEqual(35);
    expect(pipeline.payload).toEqual({ output: 'done' });
    expect(child.parent_event_id).toBe(parent.id);
    await vigil.shutdown();
  });

  it('ignores events after end() and shows the session in the production metrics', async () => {
    // Prepare
    const agent = newAgent();
    const vigil = client(v, agent, { productionMonitoring: true });
    const session = vigil.session();
    session.llm({ model: 'gpt-4o', usage: { inputTokens: 1_000_000, outputTokens: 100_000 } });
    session.end({ success: true });

    // Act
    session.llm({ model: 'gpt-4o', usage: { inputTokens: 1_000_000, outputTokens: 100_000 } });
    session.end({ success: false });
    await vigil.flush();
    const m = await metrics(v, agent);

    // Assess
    expect(m.sessions).toMatchObject({ count: 1, finished: 1, success_rate: 1 });
    // gpt-4o: $2.50 / M input + $10 / M output
    expect(m.cost.total_usd).toBeCloseTo(3.5, 6);
    expect(m.tokens.input).toBe(1_000_000);
    await vigil.shutdown();
  });

  it('keeps the caller-supplied cost beside the server figure', async () => {
    // Prepare
    const agent = newAgent();
    const vigil = client(v, agent);
    const session = vigil.session();

    // Act
    session.llm({ model: 'gpt-4o', usage: { inputTokens: 1000, outputTokens: 100 }, costUsd: 0.5 });
    session.llm({ model: 'in-house-model', usage: { inputTokens: 1000, outputTokens: 100 }, costUsd: 0.25 });
    session.end();
    await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    const byModel = (m: string) => res.body.events.find((e: { model: string }) => e.model === m);
    const [priced, own] = [byModel('gpt-4o'), byModel('in-house-model')];
    expect(priced.cost).toMatchObject({ source: 'server', client_usd: 0.5 });
    expect(own.cost).toMatchObject({ source: 'client', usd: 0.25 });
    await vigil.shutdown();
  });

  it('dates a call recorded after the fact by its duration, and a timed one by its start', async () => {
    // Prepare
    const agent = newAgent();
    const { fetch, requests } = recordingFetch();
    let t = Date.parse('2026-01-01T12:00:00Z');
    const vigil = client(v, agent, { fetch, now: () => t });
    const session = vigil.session();

    // Act
    session.llm({ name: 'after', model: 'gpt-4o', durationMs: 5000 });
    const timer = session.start('tool', { name: 'timed' });
    t += 60_000;
    timer.end();
    await vigil.flush();

    // Assess
    const events = requests.flatMap((r) => r.body.events);
    const started = (n: string) => events.find((e) => e.name === n).started_at;
    expect(started('after')).toBe('2026-01-01T11:59:55.000Z');
    expect(started('timed')).toBe('2026-01-01T12:00:00.000Z');
    await vigil.shutdown();
  });
});
