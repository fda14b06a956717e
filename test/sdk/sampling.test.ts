import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decideAtEnd, emptySummary, type SessionSummary } from '../../sdk/src/sampling';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { client, getSession, metrics, newAgent, recordingFetch, seeded } from './support';

const GPT_4O = { inputPerMTok: 2.5, outputPerMTok: 10 };
const cost = (input: number, output: number) =>
  (input * GPT_4O.inputPerMTok + output * GPT_4O.outputPerMTok) / 1e6;

describe('sampling estimator', () => {
  /** Sum of weights the server would apply to the sessions that reach it, for one random draw. */
  function estimate(sessions: SessionSummary[], rate: number, random: () => number, naive: boolean): number {
    let total = 0;
    for (const s of sessions) {
      const sampledIn = random() < rate;
      const d = decideAtEnd({}, rate, sampledIn, s, () => {});
      if (!d.send) continue;
      total += naive && sampledIn ? 1 / rate : 1 / d.sampleRate;
    }
    return total;
  }

  it('weights rule-kept sessions by 1 so that error counts are unbiased (1/r everywhere would not be)', () => {
    // Prepare: 200 sessions, 40 of them with an error
    const sessions = Array.from({ length: 200 }, (_, i) => ({
      ...emptySummary(),
      errors: i % 5 === 0 ? 1 : 0,
    }));
    const errored = sessions.filter((s) => s.errors > 0);
    const random = seeded(1);
    const rate = 0.2;
    const runs = 2000;

    // Act: the errored-session total, estimated over many independent draws
    let ht = 0;
    let naive = 0;
    for (let k = 0; k < runs; k++) {
      ht += estimate(errored, rate, random, false);
      naive += estimate(errored, rate, random, true);
    }

    // Assess: rule-kept sessions are certain, so the estimate is exact; the naive one counts 2 − r each
    expect(ht / runs).toBe(40);
    expect(naive / runs).toBeCloseTo(40 * (2 - rate), -0.5);
  });

  it('is unbiased over sessions without a rule: the mean estimate converges on the true count', () => {
    // Prepare
    const sessions = Array.from({ length: 100 }, () => emptySummary());
    const random = seeded(2);
    const runs = 4000;
    const rate = 0.1;

    // Act
    let sum = 0;
    for (let k = 0; k < runs; k++) sum += estimate(sessions, rate, random, false);

    // Assess: σ of one estimate is sqrt(100 · (1 − r) / r) = 30; of the mean over 4000 runs, ≈ 0.47
    expect(Math.abs(sum / runs - 100)).toBeLessThan(4 * 0.47);
  });
});

describe('SDK sampling against the local runtime', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  it('keeps the dashboard totals within the expected error, and error totals exact', async () => {
    // Prepare: 400 sessions at rate 0.25; every 10th errors, every 25th costs more than the $1 threshold
    const agent = newAgent();
    const rate = 0.25;
    const vigil = client(v, agent, {
      random: seeded(7),
      prices: { 'gpt-4o': GPT_4O },
      sampleRate: rate,
      keepCostAboveUsd: 1,
      productionMonitoring: true,
      maxBatchSize: 1000,
    });
    const truth = { sessions: 0, input: 0, cost: 0, errors: 0 };
    const variance = { sessions: 0, input: 0, cost: 0 };
    const ruleKept: string[] = [];
    const others: Array<{ id: string; sampledIn: boolean }> = [];

    // Act
    for (let i = 0; i < 400; i++) {
      const session = vigil.session({ tags: [`slot:${i % 3}`] });
      const input = i % 25 === 0 ? 2_000_000 : 1000 * (1 + (i % 10));
      const output = 100 * (1 + (i % 4));
      session.llm({
        model: 'gpt-4o',
        provider: 'openai',
        usage: { inputTokens: input, outputTokens: output },
      });
      const errored = i % 10 === 0;
      if (errored) session.error(new Error(`tool failed ${i}`));
      session.end({ success: !errored });
      truth.sessions += 1;
      truth.input += input;
      truth.cost += cost(input, output);
      truth.errors += errored ? 1 : 0;
      if (errored || i % 25 === 0) {
        ruleKept.push(session.id);
      } else {
        // Horvitz–Thompson variance of a total: Σ y² (1 − r) / r over the sessions kept by chance
        const w = (1 - rate) / rate;
        variance.sessions += w;
        variance.input += input ** 2 * w;
        variance.cost += cost(input, output) ** 2 * w;
        others.push({ id: session.id, sampledIn: session.sampledIn });
      }
    }
    const flushed = await vigil.flush(30_000);
    const m = await metrics(v, agent);

    // Assess
    expect(flushed.ok).toBe(true);
    const within = (estimate: number, actual: number, v: number) =>
      expect(Math.abs(estimate - actual)).toBeLessThanOrEqual(4 * Math.sqrt(v));
    within(m.sessions.count, truth.sessions, variance.sessions);
    within(m.tokens.input, truth.input, variance.input);
    within(m.cost.total_usd, truth.cost, variance.cost);
    expect(m.errors.count).toBeCloseTo(truth.errors, 6);
    expect(m.errors.sessions_with_errors).toBeCloseTo(truth.errors, 6);
    const sampledIn = others.filter((o) => o.sampledIn).length;
    expect(vigil.stats()).toMatchObject({
      sessionsKeptByRule: ruleKept.length,
      sessionsSampledOut: others.length - sampledIn,
      rejected: 0,
    });
    const keptByRule = await getSession(v, ruleKept[3]!);
    const drawn = await getSession(v, others.find((o) => o.sampledIn)!.id);
    const notDrawn = await getSession(v, others.find((o) => !o.sampledIn)!.id);
    expect(keptByRule.body.sample_rate).toBe(1);
    expect(drawn.body.sample_rate).toBe(rate);
    expect(notDrawn.status).toBe(404);
    await vigil.shutdown();
  });

  it('holds a sampled-out session until an error makes it certain, then streams it with sample_rate 1', async () => {
    // Prepare: the draw always says "out"
    const agent = newAgent();
    const { fetch, requests } = recordingFetch();
    const vigil = client(v, agent, { fetch, random: () => 0.99, sampleRate: 0.5 });
    const session = vigil.session();
    session.llm({ model: 'gpt-4o', usage: { inputTokens: 10, outputTokens: 1 } });
    await vigil.flush();
    const sentBeforeError = requests.length;

    // Act
    session.error(new Error('upstream timeout'));
    await vigil.flush();
    const afterError = await getSession(v, session.id);
    session.llm({ model: 'gpt-4o', usage: { inputTokens: 10, outputTokens: 1 } });
    session.end({ success: false });
    await vigil.flush();
    const atEnd = await getSession(v, session.id);

    // Assess
    expect(sentBeforeError).toBe(0);
    expect(afterError.body).toMatchObject({
      sample_rate: 1,
      status: 'running',
      totals: { events: 2, errors: 1 },
    });
    expect(atEnd.body).toMatchObject({ sample_rate: 1, status: 'finished', totals: { events: 3 } });
    expect(vigil.stats()).toMatchObject({ sessionsKeptByRule: 1, sessionsSampledOut: 0 });
    await vigil.shutdown();
  });

  it('decides at the end: drawn sessions go with their rate, keepIf keeps the rest with rate 1', async () => {
    // Prepare
    const agent = newAgent();
    const draws = [0.1, 0.9, 0.9];
    const vigil = client(v, agent, {
      random: () => draws.shift() ?? 0.5,
      sampleRate: 0.5,
      keepIf: (s) => s.success === false,
    });
    const [drawn, failed, dropped] = [vigil.session(), vigil.session(), vigil.session()];
    for (const s of [drawn, failed, dropped]) s.event({ name: 'step' });

    // Act
    drawn.end({ success: true });
    failed.end({ success: false });
    dropped.end({ success: true });
    await vigil.flush();
    const found = await Promise.all([drawn, failed, dropped].map((s) => getSession(v, s.id)));

    // Assess
    expect(found.map((r) => r.status)).toEqual([200, 200, 404]);
    expect(found[0]!.body).toMatchObject({ sample_rate: 0.5, totals: { events: 1 } });
    expect(found[1]!.body).toMatchObject({ sample_rate: 1, is_successful: false });
    await vigil.shutdown();
  });

  it('keeps a session whose known cost crosses the threshold, from the cost the caller passes', async () => {
    // Prepare
    const agent = newAgent();
    const vigil = client(v, agent, { random: () => 0.99, sampleRate: 0.1, keepCostAboveUsd: 0.05 });
    const session = vigil.session();

    // Act
    session.llm({ model: 'private-model', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.03 });
    session.tool('paid_api', () => 'ok')();
    const before = session.summary();
    session.llm({ model: 'private-model', usage: { inputTokens: 1, outputTokens: 1 }, costUsd: 0.03 });
    await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(before).toMatchObject({ costUsd: 0.03, llmCalls: 1, events: 2 });
    expect(res.body).toMatchObject({ sample_rate: 1, status: 'running', totals: { events: 3 } });
    await vigil.shutdown();
  });

  it('bounds what a held session buffers, dropping its oldest events', async () => {
    // Prepare
    const agent = newAgent();
    const drops: string[] = [];
    const vigil = client(v, agent, {
      random: () => 0.0,
      sampleRate: 0.5,
      maxHeldEventsPerSession: 3,
      onDrop: (d) => drops.push(d.reason),
    });
    const session = vigil.session();

    // Act
    for (let i = 0; i < 5; i++) session.event({ name: `e${i}` });
    session.end();
    await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(drops).toEqual(['hold_full', 'hold_full']);
    expect(vigil.stats().droppedHeld).toBe(2);
    expect(res.body.events.map((e: { name: string }) => e.name).sort()).toEqual(['e2', 'e3', 'e4']);
    await vigil.shutdown();
  });
});
