import { describe, expect, it } from 'vitest';
import { otlpTraceRequest } from '../../contracts/otlp';
import type { DraftEvent } from '../../lambdas/domain/enrich';
import { emptyTotals, type Session } from '../../lambdas/domain/model';
import { fromOtlpTraces, type OtlpSessionInfo, sessionUpsertFor } from '../../lambdas/domain/translate/otlp';
import { type JsonAttr, jsonRequest, jsonSpan, keyValues, spanId, traceId } from '../fixtures/otlp/json';

const NOW = Date.parse('2026-06-01T12:00:00Z');
const T0 = NOW - 60_000;

function translate(body: unknown, fallbackAgent = 'fallback-agent') {
  return fromOtlpTraces(otlpTraceRequest.parse(body), { fallbackAgent, now: NOW });
}

/** Translates one span (with a resource) and returns its draft. */
function one(
  attributes: Record<string, JsonAttr>,
  extra: Partial<Parameters<typeof jsonSpan>[0]> = {},
): DraftEvent {
  const batch = translate(jsonRequest([jsonSpan({ traceId: traceId(), start: T0, attributes, ...extra })]));
  expect(batch.rejected).toEqual([]);
  return batch.drafts[0]!;
}

describe('OTLP span → event', () => {
  it('maps a current gen_ai chat span: model, provider, tokens, timing, ids', () => {
    // Prepare
    const trace = traceId();
    const parent = spanId();
    const id = spanId();
    const body = jsonRequest([
      jsonSpan({
        traceId: trace,
        spanId: id.toUpperCase(),
        parentSpanId: parent,
        name: 'chat gpt-4o',
        start: T0 + 0.25,
        durationMs: 1234.5,
        attributes: {
          'gen_ai.operation.name': 'chat',
          'gen_ai.provider.name': 'openai',
          'gen_ai.request.model': 'gpt-4o',
          'gen_ai.response.model': 'gpt-4o-2024-08-06',
          'gen_ai.usage.input_tokens': 1200,
          'gen_ai.usage.output_tokens': 300,
          'gen_ai.usage.cache_read.input_tokens': 1000,
          'gen_ai.usage.reasoning.output_tokens': 100,
          'gen_ai.response.finish_reasons': ['stop'],
          'gen_ai.response.id': 'chatcmpl-1',
        },
      }),
    ]);

    // Act
    const batch = translate(body);

    // Assess
    expect(batch.rejected).toEqual([]);
    expect(batch.drafts[0]).toMatchObject({
      agentId: 'support-bot',
      sessionId: trace,
      eventId: id,
      parentEventId: parent,
      type: 'llm',
      rawType: 'chat',
      name: 'chat gpt-4o',
      startedAt: T0,
      durationMs: 1234.5,
      model: 'gpt-4o-2024-08-06',
      provider: 'openai',
      usage: { inputTokens: 1200, outputTokens: 300, cachedInputTokens: 1000, reasoningTokens: 100 },
      clientCostUsd: null,
      errorSignal: null,
      source: 'otlp',
      metadata: { trace_id: trace, span_id: id, finish_reasons: ['stop'], response_id: 'chatcmpl-1' },
    });
  });

  it('understands the older gen_ai names and indexed prompt / completion attributes', () => {
    const draft = one({
      'gen_ai.system': 'OpenAI',
      'llm.request.type': 'chat',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.prompt_tokens': 50,
      'gen_ai.usage.completion_tokens': 7,
      'gen_ai.usage.cache_read_input_tokens': 20,
      'gen_ai.prompt.0.role': 'system',
      'gen_ai.prompt.0.content': 'be brief',
      'gen_ai.prompt.1.role': 'user',
      'gen_ai.prompt.1.content': 'hi',
      'gen_ai.completion.0.role': 'assistant',
      'gen_ai.completion.0.content': 'hello',
      'gen_ai.completion.0.finish_reason': 'stop',
    });
    expect(draft).toMatchObject({
      type: 'llm',
      rawType: 'chat',
      provider: 'openai',
      model: 'gpt-4o-mini',
      usage: { inputTokens: 50, outputTokens: 7, cachedInputTokens: 20, reasoningTokens: 0 },
      payload: {
        input: [
          { role: 'system', content: 'be brief' },
          { role: 'user', content: 'hi' },
        ],
        output: [{ role: 'assistant', content: 'hello', finish_reason: 'stop' }],
      },
    });
    expect((draft.payload as { attributes: object }).attributes).not.toHaveProperty(
      'gen_ai.prompt.1.content',
    );
  });

  it('reads content from span events (gen_ai message events, operation details, legacy content events)', () => {
    const details = one(
      { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': 'gpt-4o' },
      {
        events: [
          {
            name: 'gen_ai.client.inference.operation.details',
            attributes: {
              'gen_ai.input.messages': '[{"role":"user","parts":[{"type":"text","content":"hi"}]}]',
              'gen_ai.output.messages': '[{"role":"assistant","parts":[{"type":"text","content":"yo"}]}]',
            },
          },
        ],
      },
    );
    expect(details.payload).toMatchObject({
      input: [{ role: 'user', parts: [{ content: 'hi' }] }],
      output: [{ role: 'assistant', parts: [{ content: 'yo' }] }],
    });
    const legacy = one(
      { 'gen_ai.operation.name': 'chat' },
      {
        events: [
          { name: 'gen_ai.system.message', attributes: { content: 'be brief' } },
          { name: 'gen_ai.user.message', attributes: { content: 'hi' } },
          {
            name: 'gen_ai.choice',
            attributes: { index: 0, finish_reason: 'stop', message: '{"content":"yo"}' },
          },
          { name: 'retry', attributes: { attempt: 2 } },
        ],
      },
    );
    expect(legacy.payload).toMatchObject({
      input: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'hi' },
      ],
      output: [{ index: 0, finish_reason: 'stop', message: { content: 'yo' } }],
      events: [{ name: 'retry', attributes: { attempt: 2 } }],
    });
  });

  it('maps OpenInference: span kind, model, token counts, content, client cost, metadata', () => {
    const draft = one({
      'openinference.span.kind': 'LLM',
      'llm.model_name': 'claude-sonnet-4-5',
      'llm.provider': 'anthropic',
      'llm.token_count.prompt': 900,
      'llm.token_count.completion': 120,
      'llm.token_count.prompt_details.cache_read': 400,
      'llm.token_count.completion_details.reasoning': 20,
      'llm.cost.total': 0.0042,
      'llm.input_messages.0.message.role': 'user',
      'llm.input_messages.0.message.content': 'hi',
      'llm.output_messages.0.message.role': 'assistant',
      'llm.output_messages.0.message.content': 'hello',
      'input.value': '{"messages":[]}',
      'user.id': 'u-42',
      metadata: '{"ticket":"T-1"}',
    });
    expect(draft).toMatchObject({
      type: 'llm',
      rawType: 'llm',
      model: 'claude-sonnet-4-5',
      provider: 'anthropic',
      usage: { inputTokens: 900, outputTokens: 120, cachedInputTokens: 400, reasoningTokens: 20 },
      clientCostUsd: 0.0042,
      payload: {
        input: [{ role: 'user', content: 'hi' }],
        output: [{ role: 'assistant', content: 'hello' }],
        attributes: { 'input.value': '{"messages":[]}' },
      },
      metadata: { user_id: 'u-42', metadata: { ticket: 'T-1' } },
    });
  });

  it('maps tool executions of every convention to tool events named after the tool', () => {
    const cases: Array<Record<string, JsonAttr>> = [
      {
        'gen_ai.operation.name': 'execute_tool',
        'gen_ai.tool.name': 'lookup',
        'gen_ai.tool.call.id': 'call_1',
        'gen_ai.tool.call.arguments': '{"id":1}',
        'gen_ai.tool.call.result': '{"ok":true}',
      },
      {
        'openinference.span.kind': 'TOOL',
        'tool.name': 'lookup',
        'input.value': '{"id":1}',
        'output.value': 'ok',
      },
      { 'traceloop.span.kind': 'tool', 'traceloop.entity.name': 'lookup' },
      {
        'ai.operationId': 'ai.toolCall',
        'ai.toolCall.name': 'lookup',
        'ai.toolCall.id': 'call_1',
        'ai.toolCall.args': '{"id":1}',
      },
    ];
    for (const attributes of cases) {
      const draft = one(attributes, { name: 'some span' });
      expect(draft, JSON.stringify(attributes)).toMatchObject({
        type: 'tool',
        rawType: 'execute_tool',
        name: 'lookup',
      });
    }
    expect(one(cases[0]!)).toMatchObject({
      metadata: { tool_call_id: 'call_1' },
      payload: { input: { id: 1 }, output: { ok: true } },
    });
  });

  it('keeps other spans generic with the operation (or span name) as raw type, and counts no tokens there', () => {
    const agent = one(
      {
        'gen_ai.operation.name': 'invoke_agent',
        'gen_ai.agent.name': 'support',
        'gen_ai.usage.input_tokens': 5000,
      },
      { name: 'invoke_agent support' },
    );
    expect(agent).toMatchObject({
      type: 'generic',
      rawType: 'invoke_agent',
      usage: null,
      metadata: { agent_name: 'support' },
    });
    expect(one({ 'openinference.span.kind': 'CHAIN' })).toMatchObject({ type: 'generic', rawType: 'chain' });
    expect(one({ 'http.request.method': 'GET' }, { name: 'GET /orders' })).toMatchObject({
      type: 'generic',
      rawType: 'GET /orders',
      name: 'GET /orders',
    });
  });

  it('counts a Vercel AI SDK call once: the doGenerate span, not the ai.generateText wrapper', () => {
    const trace = traceId();
    const outer = spanId();
    const batch = translate(
      jsonRequest([
        jsonSpan({
          traceId: trace,
          spanId: outer,
          name: 'ai.generateText',
          start: T0,
          attributes: {
            'ai.operationId': 'ai.generateText',
            'ai.model.id': 'gpt-4o',
            'ai.usage.promptTokens': 10,
            'ai.usage.completionTokens': 5,
          },
        }),
        jsonSpan({
          traceId: trace,
          parentSpanId: outer,
          name: 'ai.generateText.doGenerate',
          start: T0 + 1,
          attributes: {
            'ai.operationId': 'ai.generateText.doGenerate',
            'ai.model.provider': 'openai.chat',
            'gen_ai.request.model': 'gpt-4o',
            'gen_ai.usage.input_tokens': 10,
            'gen_ai.usage.output_tokens': 5,
            'ai.prompt.messages': '[{"role":"user","content":"hi"}]',
            'ai.response.text': 'hello',
          },
        }),
      ]),
    );
    expect(batch.drafts.map((d) => [d.type, d.usage?.inputTokens ?? null])).toEqual([
      ['generic', null],
      ['llm', 10],
    ]);
    expect(batch.drafts[1]).toMatchObject({
      provider: 'openai',
      payload: { input: [{ role: 'user', content: 'hi' }], output: 'hello' },
    });
  });

  it('reports tokens counted apart from cached / reasoning tokens as totals (Anthropic-style usage)', () => {
    const draft = one({
      'gen_ai.operation.name': 'chat',
      'gen_ai.usage.input_tokens': 10,
      'gen_ai.usage.cache_read.input_tokens': 900,
      'gen_ai.usage.output_tokens': 5,
      'gen_ai.usage.reasoning.output_tokens': 50,
    });
    expect(draft.usage).toEqual({
      inputTokens: 910,
      outputTokens: 55,
      cachedInputTokens: 900,
      reasoningTokens: 50,
    });
  });
});

describe('OTLP errors', () => {
  const exception = (escaped?: boolean) => ({
    name: 'exception',
    attributes: {
      'exception.type': 'RateLimitError',
      'exception.message': '429 Rate limit reached for gpt-4o',
      'exception.stacktrace': 'RateLimitError: 429 Rate limit reached\n    at call (/app/agent.js:10:5)',
      ...(escaped === undefined ? {} : { 'exception.escaped': escaped }),
    },
  });

  it('takes message, type and stack from the status and the exception event of a failed span', () => {
    const draft = one(
      { 'gen_ai.operation.name': 'chat', 'http.response.status_code': 429 },
      { status: { code: 2, message: '429 Rate limit reached for gpt-4o' }, events: [exception()] },
    );
    expect(draft.type).toBe('llm');
    expect(draft.errorSignal).toEqual({
      message: '429 Rate limit reached for gpt-4o',
      type: 'RateLimitError',
      stack: 'RateLimitError: 429 Rate limit reached\n    at call (/app/agent.js:10:5)',
      statusCode: 429,
    });
    expect((draft.payload as Record<string, unknown>)['events']).toBeUndefined();
  });

  it('treats error.type and escaped exceptions as failures, handled exceptions as none', () => {
    expect(one({ 'error.type': 'timeout' }).errorSignal).toMatchObject({
      type: 'timeout',
      message: 'timeout',
    });
    expect(one({}, { events: [exception(true)] }).errorSignal).toMatchObject({ type: 'RateLimitError' });
    const handled = one({}, { status: { code: 1 }, events: [exception()] });
    expect(handled.errorSignal).toBeNull();
    expect((handled.payload as { events: unknown[] }).events).toHaveLength(1);
  });
});

describe('OTLP sessions and agents', () => {
  it('keys sessions by session.id, then gen_ai.conversation.id, then the trace id', () => {
    const t = [traceId(), traceId(), traceId()];
    const batch = translate(
      jsonRequest([
        jsonSpan({
          traceId: t[0]!,
          start: T0,
          attributes: { 'session.id': 'sess-1', 'gen_ai.conversation.id': 'conv-9' },
        }),
        jsonSpan({ traceId: t[1]!, start: T0, attributes: { 'gen_ai.conversation.id': 'conv-9' } }),
        jsonSpan({ traceId: t[2]!, start: T0 }),
      ]),
    );
    expect(batch.drafts.map((d) => d.sessionId)).toEqual(['sess-1', 'conv-9', t[2]]);
  });

  it('gives spans without a session attribute their ancestor’s session, else their trace’s', () => {
    // Prepare: root → agent (session.id) → chat; tool under root; a second trace with the id on a leaf.
    const [t1, t2] = [traceId(), traceId()];
    const [root, agent, chat, tool, leaf, top] = [spanId(), spanId(), spanId(), spanId(), spanId(), spanId()];
    const spans = [
      jsonSpan({ traceId: t1, spanId: chat, parentSpanId: agent, start: T0 + 2 }),
      jsonSpan({
        traceId: t1,
        spanId: agent,
        parentSpanId: root,
        start: T0 + 1,
        attributes: { 'session.id': 'A' },
      }),
      jsonSpan({ traceId: t1, spanId: tool, parentSpanId: root, start: T0 + 3 }),
      jsonSpan({ traceId: t1, spanId: root, start: T0 }),
      jsonSpan({
        traceId: t2,
        spanId: leaf,
        parentSpanId: top,
        start: T0 + 1,
        attributes: { 'gen_ai.conversation.id': 'B' },
      }),
      jsonSpan({ traceId: t2, spanId: top, start: T0 }),
    ];

    // Act: any order maps the same way
    const forward = translate(jsonRequest(spans));
    const backward = translate(jsonRequest([...spans].reverse()));

    // Assess
    const sessions = (b: typeof forward) => Object.fromEntries(b.drafts.map((d) => [d.eventId, d.sessionId]));
    expect(sessions(forward)).toEqual({
      [chat]: 'A',
      [agent]: 'A',
      [tool]: 'A',
      [root]: 'A',
      [leaf]: 'B',
      [top]: 'B',
    });
    expect(sessions(backward)).toEqual(sessions(forward));
  });

  it('names the agent by vigil.agent_id, then service.name, then the key’s agent', () => {
    const span = (attributes: Record<string, JsonAttr> = {}) =>
      jsonSpan({ traceId: traceId(), start: T0, attributes });
    const agents = (resource: Record<string, JsonAttr>, attributes?: Record<string, JsonAttr>) =>
      translate(jsonRequest([span(attributes)], resource)).drafts[0]!.agentId;
    expect(
      agents({ 'service.name': 'svc', 'vigil.agent_id': 'res-agent' }, { 'vigil.agent_id': 'span-agent' }),
    ).toBe('span-agent');
    expect(agents({ 'service.name': 'svc', 'vigil.agent_id': 'res-agent' })).toBe('res-agent');
    expect(agents({ 'service.name': 'svc' })).toBe('svc');
    expect(agents({ 'service.name': 'unknown_service:node' })).toBe('fallback-agent');
    expect(agents({})).toBe('fallback-agent');
  });

  it('describes each session: earliest start, root span name, end of a trace-keyed root, tags, production', () => {
    // Prepare
    const t = traceId();
    const root = spanId();
    const resource = {
      'service.name': 'bot',
      'deployment.environment.name': 'staging',
      'service.version': '1.4.2',
      'tag.tags': ['beta'],
    };
    const body = jsonRequest(
      [
        jsonSpan({
          traceId: t,
          parentSpanId: root,
          start: T0 + 10,
          durationMs: 50,
          attributes: { 'vigil.tags': 'tier:gold, eu' },
        }),
        jsonSpan({
          traceId: t,
          spanId: root,
          name: 'invoke_agent bot',
          start: T0,
          durationMs: 500.25,
          attributes: { 'user.id': 'u1' },
        }),
      ],
      resource,
    );

    // Act
    const batch = translate(body);

    // Assess
    expect(batch.sessions).toEqual([
      {
        agentId: 'bot',
        sessionId: t,
        startedAt: T0,
        endedAt: T0 + 501,
        name: 'invoke_agent bot',
        tags: ['env:staging', 'version:1.4.2', 'beta', 'tier:gold', 'eu', 'user:u1'],
        production: false,
      },
    ]);
    expect(batch.drafts[0]!.tags).toEqual(['tier:gold', 'eu']);
  });

  it('counts sessions as production unless deployment.environment or vigil.production says otherwise', () => {
    const production = (resource: Record<string, JsonAttr>, attributes: Record<string, JsonAttr> = {}) =>
      translate(
        jsonRequest([jsonSpan({ traceId: traceId(), start: T0, attributes })], {
          'service.name': 's',
          ...resource,
        }),
      ).sessions[0]!.production;
    expect(production({})).toBe(true);
    expect(production({ 'deployment.environment': 'Production' })).toBe(true);
    expect(production({ 'deployment.environment.name': 'prod' })).toBe(true);
    expect(production({ 'deployment.environment': 'dev' })).toBe(false);
    expect(production({ 'deployment.environment': 'dev', 'vigil.production': true })).toBe(true);
    expect(production({}, { 'vigil.production': 'false' })).toBe(false);
  });

  it('leaves a session keyed by session.id running when its root span arrives (more traces may follow)', () => {
    const batch = translate(
      jsonRequest([jsonSpan({ traceId: traceId(), start: T0, attributes: { 'session.id': 's-9' } })]),
    );
    expect(batch.sessions[0]!.endedAt).toBeNull();
  });
});

describe('OTLP rejections', () => {
  it('rejects bad spans one by one and names the field, keeping the good ones', () => {
    // Prepare
    const t = traceId();
    const good = jsonSpan({ traceId: t, start: T0 });
    const spans = [
      good,
      { ...jsonSpan({ traceId: t, start: T0 }), traceId: 'xyz' },
      { ...jsonSpan({ traceId: t, start: T0 }), spanId: '0000000000000000' },
      jsonSpan({
        traceId: t,
        start: T0,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.input_tokens': 'lots' },
      }),
      jsonSpan({
        traceId: t,
        start: T0,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.output_tokens': -3 },
      }),
      jsonSpan({
        traceId: t,
        start: T0,
        attributes: { 'gen_ai.operation.name': 'chat', 'gen_ai.usage.output_tokens': 1e12 },
      }),
      { ...jsonSpan({ traceId: t, start: T0 }), endTimeUnixNano: '1' },
      jsonSpan({ traceId: t, start: NOW + 2 * 3_600_000 }),
      jsonSpan({ traceId: t, start: NOW - 500 * 86_400_000 }),
      { ...jsonSpan({ traceId: t, start: T0 }), attributes: [{ key: 'k', value: { stringValue: 5 } }] },
      { ...jsonSpan({ traceId: t, start: T0 }), startTimeUnixNano: 'yesterday' },
      'not a span',
      jsonSpan({ traceId: traceId(), start: T0, attributes: { 'session.id': 'x'.repeat(300) } }),
    ];

    // Act
    const batch = translate(jsonRequest(spans));

    // Assess
    expect(batch.spanCount).toBe(spans.length);
    expect(batch.drafts.map((d) => d.eventId)).toEqual([good['spanId']]);
    const reasons = batch.rejected.map((r) => r.reason);
    expect(reasons).toEqual([
      expect.stringMatching(
        /^resourceSpans\[0\]\.scopeSpans\[0\]\.spans\[1\]\.traceId: must be 32 hex characters$/,
      ),
      expect.stringMatching(/spans\[2\]\.spanId: must not be all zeros$/),
      expect.stringMatching(/spans\[9\]\.attributes\[0\]\.value\.stringValue: must be a string$/),
      expect.stringMatching(/spans\[10\]\.startTimeUnixNano: must be a decimal string of nanoseconds/),
      expect.stringMatching(/spans\[11\]: must be a span object$/),
      expect.stringMatching(/spans\[3\]\.attributes\.gen_ai\.usage\.input_tokens: must be a token count/),
      expect.stringMatching(/spans\[4\]\.attributes\.gen_ai\.usage\.output_tokens: must be a token count/),
      expect.stringMatching(/spans\[5\]\.attributes\.gen_ai\.usage\.output_tokens: must be a token count/),
      expect.stringMatching(/spans\[6\]\.endTimeUnixNano: must not be before startTimeUnixNano/),
      expect.stringMatching(/spans\[7\]\.startTimeUnixNano: is more than 1 hour in the future/),
      expect.stringMatching(/spans\[8\]\.startTimeUnixNano: is more than 400 days in the past/),
      expect.stringMatching(/spans\[12\]\.session_id: must be at most 256 characters/),
    ]);
  });

  it('rejects every span of a resource whose attributes are malformed', () => {
    const body = jsonRequest([
      jsonSpan({ traceId: traceId(), start: T0 }),
      jsonSpan({ traceId: traceId(), start: T0 }),
    ]);
    (body.resourceSpans[0]!['resource'] as { attributes: unknown }).attributes = [{ key: 7 }];
    const batch = translate(body);
    expect(batch.drafts).toEqual([]);
    expect(batch.rejected).toHaveLength(2);
    expect(batch.rejected[0]!.reason).toMatch(
      /^resourceSpans\[0\]\.resource\.attributes\[0\]\.key: must be a string/,
    );
  });

  it('survives hostile values: deep nesting, prototype keys, JSON bombs in content', () => {
    let nested: Record<string, unknown> = { stringValue: 'bottom' };
    for (let i = 0; i < 5000; i++) nested = { kvlistValue: { values: [{ key: 'k', value: nested }] } };
    const deepJson = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    const span = jsonSpan({
      traceId: traceId(),
      start: T0,
      attributes: {
        'gen_ai.operation.name': 'chat',
        'gen_ai.input.messages': deepJson,
        __proto__: 'x',
        constructor: 'y',
      },
    });
    (span['attributes'] as unknown[]).push({ key: 'deep', value: nested });
    const draft = translate(jsonRequest([span])).drafts[0]!;
    const payload = draft.payload as { input: unknown; attributes: Record<string, unknown> };
    expect(payload.input).toBe(deepJson);
    expect(Object.getPrototypeOf(payload.attributes)).toBe(Object.prototype);
    expect(JSON.stringify(draft.payload).length).toBeGreaterThan(0);
    expect(keyValues({ a: 1 })).toHaveLength(1);
  });
});

describe('sessionUpsertFor', () => {
  const info: OtlpSessionInfo = {
    agentId: 'bot',
    sessionId: 's1',
    startedAt: T0,
    endedAt: null,
    name: 'run',
    tags: ['env:prod', 'version:2'],
    production: true,
  };
  const session = (over: Partial<Session> = {}): Session => ({
    agentId: 'bot',
    sessionId: 's1',
    name: 'run',
    task: null,
    tags: ['env:prod', 'version:2'],
    experimentId: null,
    datasetItemId: null,
    rubrics: [],
    production: true,
    sampleRate: 1,
    stub: false,
    status: 'running',
    startedAt: T0,
    endedAt: null,
    outcome: { isSuccessful: null, isSuccessfulReason: null, sessionEval: null, sessionEvalReason: null },
    evals: [],
    totals: emptyTotals(),
    source: 'otlp',
    createdAt: T0,
    updatedAt: T0,
    rollupHour: 0,
    settled: null,
    settledPrev: null,
    settledAppliedVersion: 0,
    ...over,
  });

  it('creates a session that does not exist yet', () => {
    expect(sessionUpsertFor(info, null, NOW)).toEqual({
      agentId: 'bot',
      sessionId: 's1',
      name: 'run',
      tags: ['env:prod', 'version:2'],
      production: true,
      startedAt: T0,
      endedAt: undefined,
      finished: undefined,
      source: 'otlp',
      stub: false,
      at: NOW,
    });
  });

  it('writes nothing when a request adds nothing (the common case for spans of a known session)', () => {
    expect(sessionUpsertFor({ ...info, startedAt: T0 + 5, name: 'other' }, session(), NOW)).toBeNull();
  });

  it('unions tags, moves the start earlier only, keeps the first name, fills a stub', () => {
    expect(sessionUpsertFor({ ...info, tags: ['user:u1'], name: 'other' }, session(), NOW)).toMatchObject({
      tags: ['env:prod', 'version:2', 'user:u1'],
      name: undefined,
    });
    expect(sessionUpsertFor({ ...info, startedAt: T0 - 5 }, session(), NOW)).toMatchObject({
      startedAt: T0 - 5,
    });
    expect(sessionUpsertFor(info, session({ stub: true, name: null }), NOW)).toMatchObject({
      stub: false,
      name: 'run',
    });
  });

  it('finishes a trace-keyed session once, at its root span’s end', () => {
    const done = sessionUpsertFor({ ...info, endedAt: T0 + 900 }, session(), NOW);
    expect(done).toMatchObject({ finished: true, endedAt: T0 + 900 });
    expect(
      sessionUpsertFor(
        { ...info, endedAt: T0 + 900 },
        session({ status: 'finished', endedAt: T0 + 900 }),
        NOW,
      ),
    ).toBeNull();
  });
});
