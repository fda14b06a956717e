import { randomUUID } from 'node:crypto';
import { setMetadata, setSession, setTags, setUser } from '@arizeai/openinference-core';
import { OpenAIInstrumentation } from '@arizeai/openinference-instrumentation-openai';
import { context, type Tracer } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import OpenAI, * as openaiModule from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../fixtures/otlp/api';
import { FAKE_CALL_USD, FAKE_MODEL, FAKE_REPLY, startFakeOpenAi } from '../fixtures/otlp/fake-openai';
import { exporterFor } from '../fixtures/otlp/sdk';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

/**
 * What a user of Arize's OpenInference does: install @arizeai/openinference-instrumentation-openai,
 * set the session with openinference-core, point the OTLP exporter at Vigil. The `openai` client talks
 * to a fake OpenAI server on 127.0.0.1; everything else is the real code.
 */
describe('OpenInference-instrumented openai client → Vigil over OTLP/protobuf', () => {
  let v: RunningVigil;
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  let provider: NodeTracerProvider;
  let instrumentation: OpenAIInstrumentation;
  let tracer: Tracer;
  const agent = `support-bot-${randomUUID()}`;

  beforeAll(async () => {
    v = await startVigil();
    fake = await startFakeOpenAi();
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({
        'service.name': agent,
        'service.version': '2.3.0',
        'deployment.environment.name': 'production',
      }),
      spanProcessors: [
        new BatchSpanProcessor(exporterFor({ url: v.url, key: v.key, protocol: 'protobuf' }), {
          scheduledDelayMillis: 60_000,
        }),
      ],
    });
    provider.register();
    instrumentation = new OpenAIInstrumentation({ tracerProvider: provider });
    // An ES module namespace: what `import * as openai` gives a user of ESM.
    instrumentation.manuallyInstrument(openaiModule as unknown as typeof OpenAI);
    tracer = provider.getTracer('support-bot');
  });
  afterAll(async () => {
    instrumentation.disable();
    await provider.shutdown();
    await fake.close();
    await v.stop();
  });

  it('turns an instrumented agent turn into a priced session with its session id, user, tags and content', async () => {
    // Prepare
    const sessionId = `oi-session-${randomUUID()}`;
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: fake.baseURL, maxRetries: 0 });
    let ctx = setSession(context.active(), { sessionId });
    ctx = setUser(ctx, { userId: 'user-7' });
    ctx = setTags(ctx, ['tier:enterprise']);
    ctx = setMetadata(ctx, { ticket: 'T-42' });

    // Act: one agent turn with one model call. (This instrumentation never ends the span of a call
    // that fails asynchronously, so API errors are covered by the OpenLLMetry test.)
    await context.with(ctx, () =>
      tracer.startActiveSpan(
        'support-agent',
        { attributes: { 'openinference.span.kind': 'AGENT' } },
        async (span) => {
          await client.chat.completions.create({
            model: 'gpt-4o-mini',
            messages: [
              { role: 'system', content: 'You are a support agent.' },
              { role: 'user', content: 'Where is my order?' },
            ],
          });
          span.end();
        },
      ),
    );
    await provider.forceFlush();
    const read = await v.call('GET', `/api/sessions/${sessionId}?agent_id=${agent}`);

    // Assess
    expect(fake.calls).toHaveLength(1);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      agent_id: agent,
      source: 'otlp',
      production_monitoring: true,
      totals: {
        events: 2,
        llm_calls: 1,
        errors: 0,
        input_tokens: 1200,
        output_tokens: 80,
        cached_input_tokens: 1024,
      },
    });
    expect(read.body.tags).toEqual(
      expect.arrayContaining(['env:production', 'version:2.3.0', 'user:user-7', 'tier:enterprise']),
    );
    expect(read.body.totals.cost_usd).toBeCloseTo(FAKE_CALL_USD, 12);
    const events = read.body.events as ApiEvent[];
    const agentSpan = events.find((e) => e.type === 'generic')!;
    expect(agentSpan).toMatchObject({ raw_type: 'agent', name: 'support-agent' });
    const ok = events.find((e) => e.type === 'llm')!;
    expect(ok).toMatchObject({
      parent_event_id: agentSpan.event_id,
      model: FAKE_MODEL,
      provider: 'openai',
      usage: { input_tokens: 1200, output_tokens: 80, cached_input_tokens: 1024 },
      cost: { source: 'server', price_id: 'openai/gpt-4o-mini@2024-07-18' },
      metadata: { user_id: 'user-7', metadata: { ticket: 'T-42' } },
      error: null,
    });
    expect(ok.cost!.usd).toBeCloseTo(FAKE_CALL_USD, 12);
    expect(ok.payload.input).toEqual([
      { role: 'system', content: 'You are a support agent.' },
      { role: 'user', content: 'Where is my order?' },
    ]);
    expect(ok.payload.output).toEqual([{ role: 'assistant', content: FAKE_REPLY }]);
    const m = await v.call('GET', `/api/agents/${agent}/production/metrics?metrics=cost,tokens`);
    expect(m.body.cost.total_usd).toBeCloseTo(FAKE_CALL_USD, 6); // the metrics API rounds to µ$
    expect(m.body.tokens).toMatchObject({ input: 1200, output: 80, cached_input: 1024 });
  });
});
