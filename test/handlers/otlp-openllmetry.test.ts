import { randomUUID } from 'node:crypto';
import { context, trace } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { OpenAIInstrumentation } from '@traceloop/instrumentation-openai';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../fixtures/otlp/api';
import { FAKE_MODEL, FAKE_REPLY, FAKE_USAGE, startFakeOpenAi } from '../fixtures/otlp/fake-openai';
import { exporterFor } from '../fixtures/otlp/sdk';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

/**
 * What a user of OpenLLMetry (Traceloop) does: install @traceloop/instrumentation-openai, which emits
 * the current gen_ai semantic conventions, and point the OTLP/JSON exporter at Vigil. No session
 * attribute is set, so the trace is the session. The `openai` client talks to a fake server.
 */
describe('OpenLLMetry-instrumented openai client → Vigil over OTLP/JSON', () => {
  let v: RunningVigil;
  let fake: Awaited<ReturnType<typeof startFakeOpenAi>>;
  let provider: NodeTracerProvider;
  let instrumentation: OpenAIInstrumentation;
  const agent = `triage-bot-${randomUUID()}`;

  beforeAll(async () => {
    v = await startVigil();
    fake = await startFakeOpenAi();
    provider = new NodeTracerProvider({
      resource: resourceFromAttributes({ 'service.name': agent, 'deployment.environment': 'staging' }),
      spanProcessors: [
        new BatchSpanProcessor(
          exporterFor({ url: v.url, key: v.key, protocol: 'json', compression: 'gzip' }),
          {
            scheduledDelayMillis: 60_000,
          },
        ),
      ],
    });
    provider.register();
    instrumentation = new OpenAIInstrumentation();
    instrumentation.setTracerProvider(provider);
    instrumentation.manuallyInstrument(OpenAI);
  });
  afterAll(async () => {
    instrumentation.disable();
    await provider.shutdown();
    await fake.close();
    await v.stop();
  });

  it('turns a traced agent run into a staging session keyed by its trace, with gen_ai tokens, cost and content', async () => {
    // Prepare
    const client = new OpenAI({ apiKey: 'sk-test', baseURL: fake.baseURL, maxRetries: 0 });
    const tracer = provider.getTracer('triage-bot');
    const root = tracer.startSpan('invoke_agent triage', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'triage' },
    });

    // Act
    await context.with(trace.setSpan(context.active(), root), () =>
      client.chat.completions.create({
        model: 'gpt-4o-mini',
        messages: [{ role: 'user', content: 'Where is my order?' }],
      }),
    );
    root.end();
    await provider.forceFlush();
    const read = await v.call('GET', `/api/sessions/${root.spanContext().traceId}?agent_id=${agent}`);

    // Assess
    expect(fake.calls).toHaveLength(1);
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      source: 'otlp',
      production_monitoring: false,
      status: 'finished',
      tags: ['env:staging'],
      name: 'invoke_agent triage',
      totals: {
        events: 2,
        llm_calls: 1,
        errors: 0,
        input_tokens: FAKE_USAGE.prompt,
        output_tokens: FAKE_USAGE.completion,
      },
    });
    // gpt-4o-mini: $0.15 / 1M input, $0.60 / 1M output (this instrumentation reports no cached tokens)
    const usd = (FAKE_USAGE.prompt * 0.15 + FAKE_USAGE.completion * 0.6) / 1_000_000;
    expect(read.body.totals.cost_usd).toBeCloseTo(usd, 12);
    const llm = (read.body.events as ApiEvent[]).find((e) => e.type === 'llm')!;
    expect(llm).toMatchObject({
      parent_event_id: root.spanContext().spanId,
      raw_type: 'chat',
      model: FAKE_MODEL,
      provider: 'openai',
      cost: { source: 'server', price_id: 'openai/gpt-4o-mini@2024-07-18' },
      metadata: { finish_reasons: ['stop'], response_id: 'chatcmpl-test-1' },
    });
    expect(JSON.stringify(llm.payload.input)).toContain('Where is my order?');
    expect(JSON.stringify(llm.payload.output)).toContain(FAKE_REPLY);
    const m = await v.call(
      'GET',
      `/api/agents/${agent}/production/metrics?metrics=sessions,cost&production=false`,
    );
    expect(m.body.sessions.count).toBe(1);
    expect(m.body.cost.total_usd).toBeCloseTo(usd, 6);
  });
});
