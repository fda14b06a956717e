import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Span } from '@opentelemetry/api';
import { OTLPTraceExporter as ProtoExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../fixtures/otlp/api';
import { captureBoth, captureExport, captureServer, child, pipeline } from '../fixtures/otlp/sdk';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';

/** gpt-4o: $2.50 / 1M input, $10 / 1M output; 1M in + 100k out = $3.50 (test/handlers/batch-api.test.ts). */
const GPT4O_CALL = {
  'gen_ai.operation.name': 'chat',
  'gen_ai.provider.name': 'openai',
  'gen_ai.request.model': 'gpt-4o',
  'gen_ai.usage.input_tokens': 1_000_000,
  'gen_ai.usage.output_tokens': 100_000,
};

describe('OTLP/HTTP ingest on the local runtime', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const metrics = (agent: string) =>
    v.call(
      'GET',
      `/api/agents/${agent}/production/metrics?production=all&start_date=${day(-1)}&end_date=${day(1)}`,
    );
  const session = (agent: string, id: string) => v.call('GET', `/api/sessions/${id}?agent_id=${agent}`);
  const post = (body: Buffer, headers: Record<string, string>) =>
    fetch(`${v.url}/v1/traces`, {
      method: 'POST',
      headers: { authorization: `Bearer ${v.key}`, ...headers },
      body: new Uint8Array(body),
    });

  /** An agent run: root → chat → failing tool → chat, as an instrumented agent would trace it. */
  function agentRun(tracer: Parameters<typeof child>[0]): Span {
    const root = tracer.startSpan('invoke_agent support', {
      attributes: { 'gen_ai.operation.name': 'invoke_agent' },
    });
    child(tracer, root, 'chat gpt-4o', GPT4O_CALL).end();
    const tool = child(tracer, root, 'execute_tool lookup_order', {
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'lookup_order',
      'gen_ai.tool.call.id': 'call_1',
    });
    tool.recordException(
      Object.assign(new Error('connect ETIMEDOUT 10.0.0.1:443'), { name: 'TimeoutError' }),
    );
    tool.setStatus({ code: 2, message: 'connect ETIMEDOUT 10.0.0.1:443' });
    tool.end();
    child(tracer, root, 'chat gpt-4o', GPT4O_CALL).end();
    root.end();
    return root;
  }

  it('ingests an agent run from the official JSON exporter: session, events, links, tokens, cost, errors', async () => {
    // Prepare
    const agent = `agt-${randomUUID()}`;
    const p = pipeline({
      url: v.url,
      key: v.key,
      protocol: 'json',
      resource: {
        'service.name': agent,
        'deployment.environment.name': 'production',
        'service.version': '1.4.2',
      },
    });

    // Act
    const root = agentRun(p.tracer);
    await p.flush();
    await p.shutdown();
    const read = await session(agent, root.spanContext().traceId);
    const m = await metrics(agent);

    // Assess
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({
      agent_id: agent,
      session_id: root.spanContext().traceId,
      source: 'otlp',
      stub: false,
      production_monitoring: true,
      status: 'finished',
      name: 'invoke_agent support',
      tags: ['env:production', 'version:1.4.2'],
      totals: {
        events: 4,
        llm_calls: 2,
        errors: 1,
        input_tokens: 2_000_000,
        output_tokens: 200_000,
        cost_usd: 7,
      },
    });
    const events = read.body.events as ApiEvent[];
    const rootId = root.spanContext().spanId;
    expect(events.map((e) => e.type).sort()).toEqual(['generic', 'llm', 'llm', 'tool']);
    expect(events.filter((e) => e.parent_event_id === rootId)).toHaveLength(3);
    expect(events.find((e) => e.event_id === rootId)).toMatchObject({
      type: 'generic',
      raw_type: 'invoke_agent',
    });
    const tool = events.find((e) => e.type === 'tool')!;
    expect(tool).toMatchObject({
      name: 'lookup_order',
      error: {
        category: 'timeout',
        type: 'TimeoutError',
        message: 'connect ETIMEDOUT 10.0.0.1:443',
        recoverable: true,
      },
      metadata: { tool_call_id: 'call_1' },
    });
    expect(tool.error!.stack).toMatch(/^TimeoutError: connect ETIMEDOUT/);
    expect(events.find((e) => e.type === 'llm')!.cost).toMatchObject({
      usd: 3.5,
      source: 'server',
      price_id: 'openai/gpt-4o@2024-08-06',
    });
    // The session lasts as long as its spans' extent: the root span here (starts are whole ms).
    const rootEvent = events.find((e) => e.event_id === rootId)!;
    expect(Math.abs(read.body.duration_ms - rootEvent.duration_ms)).toBeLessThanOrEqual(1);
    expect(m.body).toMatchObject({
      sessions: { count: 1, finished: 1 },
      cost: { total_usd: 7 },
      tokens: { input: 2_000_000, output: 200_000 },
      errors: { count: 1, sessions_with_errors: 1, by_type: { timeout: 1 } },
    });
  });

  it('accepts gzip’d protobuf from an exporter configured only through OTEL_EXPORTER_OTLP_* variables', async () => {
    // Prepare: the exporter reads endpoint, headers and compression from the environment, as users set them.
    const agent = `agt-${randomUUID()}`;
    const conversation = `conv-${randomUUID()}`;
    const sniff = await captureServer();
    const saved = { ...process.env };
    const exportTo = async (endpoint: string) => {
      process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = endpoint;
      process.env['OTEL_EXPORTER_OTLP_HEADERS'] = `Authorization=Bearer%20${v.key}`;
      process.env['OTEL_EXPORTER_OTLP_COMPRESSION'] = 'gzip';
      const provider = new NodeTracerProvider({
        resource: resourceFromAttributes({ 'service.name': agent }),
        spanProcessors: [new BatchSpanProcessor(new ProtoExporter() as never)],
      });
      const tracer = provider.getTracer('env-configured');
      // Two traces of one conversation: the session spans both and stays open for more.
      for (const turn of [1, 2]) {
        const root = tracer.startSpan(`invoke_agent turn ${turn}`, {
          attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.conversation.id': conversation },
        });
        child(tracer, root, 'chat gpt-4o', { ...GPT4O_CALL, 'gen_ai.conversation.id': conversation }).end();
        root.end();
      }
      await provider.forceFlush();
      await provider.shutdown();
    };

    // Act
    try {
      await exportTo(sniff.url);
      await exportTo(v.url);
    } finally {
      process.env = saved;
      await sniff.close();
    }
    const read = await session(agent, conversation);

    // Assess
    expect(sniff.requests[0]!.headers).toMatchObject({
      'content-type': 'application/x-protobuf',
      'content-encoding': 'gzip',
      authorization: `Bearer ${v.key}`,
    });
    expect(read.status).toBe(200);
    expect(read.body).toMatchObject({ status: 'running', totals: { events: 4, llm_calls: 2, cost_usd: 7 } });
    expect(new Set((read.body.events as ApiEvent[]).map((e) => e.metadata['trace_id'])).size).toBe(2);
  });

  it('counts a span re-sent by a retrying exporter once, in either encoding', async () => {
    // Prepare: a proxy that loses Vigil's first answer (503), so the real exporter retries the request.
    const agent = `agt-${randomUUID()}`;
    let attempts = 0;
    const proxy = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', async () => {
        const headers = Object.fromEntries(
          ['content-type', 'content-encoding', 'authorization'].map((k) => [k, String(req.headers[k] ?? '')]),
        );
        const answer = await fetch(`${v.url}/v1/traces`, {
          method: 'POST',
          headers,
          body: Buffer.concat(chunks),
        });
        const body = Buffer.from(await answer.arrayBuffer());
        if (++attempts === 1) res.writeHead(503, { 'retry-after': '0' }).end();
        else
          res
            .writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? '' })
            .end(body);
      });
    });
    await new Promise<void>((ok) => proxy.listen(0, '127.0.0.1', () => ok()));
    const proxyUrl = `http://127.0.0.1:${(proxy.address() as AddressInfo).port}`;
    const p = pipeline({
      url: proxyUrl,
      key: v.key,
      protocol: 'protobuf',
      resource: { 'service.name': agent },
    });
    const sent = await captureBoth((tracer) => void agentRun(tracer), { 'service.name': agent });

    // Act
    let root: Span;
    try {
      root = agentRun(p.tracer);
      await p.flush();
      await p.shutdown();
    } finally {
      await new Promise<void>((ok) => proxy.close(() => ok()));
    }
    // Captured exporter output for another run: once as JSON, then again as protobuf, JSON, protobuf.
    const send = (r: (typeof sent.json)[number]) =>
      post(r.body, { 'content-type': String(r.headers['content-type']) });
    const first = await send(sent.json[0]!);
    const once = await metrics(agent);
    const replies = [first];
    for (const r of [sent.protobuf[0]!, sent.json[0]!, sent.protobuf[0]!]) replies.push(await send(r));
    const again = await metrics(agent);
    const read = await session(agent, root.spanContext().traceId);

    // Assess
    expect(attempts).toBe(2);
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    expect(read.body.totals).toMatchObject({ events: 4, cost_usd: 7 });
    expect(once.body).toMatchObject({
      sessions: { count: 2 },
      cost: { total_usd: 14 },
      errors: { count: 2 },
    });
    expect(again.body).toEqual(once.body);
  });

  it('assembles a session from spans sent one request each, children first, in any order', async () => {
    // Prepare: SimpleSpanProcessor exports every span alone as it ends, so children precede the root.
    const agent = `agt-${randomUUID()}`;
    let root: Span | undefined;
    const requests = await captureExport(
      'protobuf',
      (tracer) => {
        root = tracer.startSpan('invoke_agent', { attributes: { 'gen_ai.operation.name': 'invoke_agent' } });
        const step = child(tracer, root, 'plan', {});
        child(tracer, step, 'chat gpt-4o', GPT4O_CALL).end();
        step.end();
        root.end();
      },
      { processor: 'simple', resource: { 'service.name': agent } },
    );

    // Act: sent in reverse (root first), then once more in the original order
    const statuses = [];
    for (const r of [...requests].reverse())
      statuses.push((await post(r.body, { 'content-type': 'application/x-protobuf' })).status);
    for (const r of requests)
      statuses.push((await post(r.body, { 'content-type': 'application/x-protobuf' })).status);
    const read = await session(agent, root!.spanContext().traceId);

    // Assess
    expect(requests).toHaveLength(3);
    expect(statuses).toEqual([200, 200, 200, 200, 200, 200]);
    expect(read.body).toMatchObject({
      status: 'finished',
      totals: { events: 3, llm_calls: 1, cost_usd: 3.5 },
    });
    const byName = Object.fromEntries((read.body.events as ApiEvent[]).map((e) => [e.name, e]));
    expect(byName['chat gpt-4o'].parent_event_id).toBe(byName['plan'].event_id);
    expect(byName['plan'].parent_event_id).toBe(byName['invoke_agent'].event_id);
    expect(Math.abs(read.body.duration_ms - byName['invoke_agent'].duration_ms)).toBeLessThanOrEqual(1);
  });

  it('prices and classifies exactly as the Lucidic path does', async () => {
    // Prepare: the same model call and the same tool failure, once through each protocol.
    const agent = `agt-${randomUUID()}`;
    const stack = 'TimeoutError: connect ETIMEDOUT 10.0.0.1:443\n    at lookup (/app/tools.js:12:7)';
    const usage = { input_tokens: 12_345, output_tokens: 678, cached_tokens: 10_000 };
    const init = await v.call('POST', '/api/initsession', { agent_id: agent, production_monitoring: true });
    const sid = init.body.session_id as string;
    const lucidic = async (type: string, payload: unknown) => {
      const id = randomUUID();
      await v.call('POST', '/api/events', {
        client_event_id: id,
        session_id: sid,
        type,
        payload,
        duration: 1,
      });
      return id;
    };
    const llmId = await lucidic('llm_generation', {
      request: { provider: 'openai', model: 'gpt-4o-mini' },
      usage,
    });
    const toolId = await lucidic('function_call', {
      function_name: 'lookup',
      return_value: { error: 'connect ETIMEDOUT 10.0.0.1:443', error_type: 'TimeoutError' },
      traceback: stack,
    });
    const p = pipeline({ url: v.url, key: v.key, protocol: 'json', resource: { 'service.name': agent } });
    const root = p.tracer.startSpan('run');
    child(p.tracer, root, 'chat', {
      'gen_ai.operation.name': 'chat',
      'gen_ai.system': 'openai',
      'gen_ai.request.model': 'gpt-4o-mini',
      'gen_ai.usage.input_tokens': usage.input_tokens,
      'gen_ai.usage.output_tokens': usage.output_tokens,
      'gen_ai.usage.cache_read.input_tokens': usage.cached_tokens,
    }).end();
    const tool = child(p.tracer, root, 'execute_tool lookup', { 'gen_ai.operation.name': 'execute_tool' });
    tool.addEvent('exception', {
      'exception.type': 'TimeoutError',
      'exception.message': 'connect ETIMEDOUT 10.0.0.1:443',
      'exception.stacktrace': stack,
    });
    tool.setStatus({ code: 2, message: 'connect ETIMEDOUT 10.0.0.1:443' });
    tool.end();
    root.end();

    // Act
    await p.flush();
    await p.shutdown();
    const viaLucidic = (await session(agent, sid)).body.events as ApiEvent[];
    const viaOtlp = (await session(agent, root.spanContext().traceId)).body.events as ApiEvent[];

    // Assess
    const llm = (events: ApiEvent[], id?: string) =>
      events.find((e) => (id ? e.event_id === id : e.type === 'llm'))!;
    const failed = (events: ApiEvent[], id?: string) =>
      events.find((e) => (id ? e.event_id === id : e.type === 'tool'))!;
    expect(llm(viaOtlp).cost).toEqual(llm(viaLucidic, llmId).cost);
    expect(llm(viaOtlp).cost!.server_usd).toBeGreaterThan(0);
    expect(failed(viaOtlp).error).toEqual(failed(viaLucidic, toolId).error);
    expect(failed(viaOtlp).error!.category).toBe('timeout');
  });
});
