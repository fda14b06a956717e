import { Agent, request } from 'node:http';
import { context, type Span, SpanStatusCode, trace } from '@opentelemetry/api';
import { JsonTraceSerializer, ProtobufTraceSerializer } from '@opentelemetry/otlp-transformer';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/**
 * OTLP ingest throughput of a running Vigil over HTTP on loopback: `POST /v1/traces` with 100 spans a
 * request, as OTLP/JSON and as protobuf. Bodies are encoded beforehand by the OpenTelemetry SDK's own
 * serializers (what the official exporters send) from spans the SDK recorded: 10 agent runs a request,
 * each a root span, 6 model calls (one in 20 failing) and 3 tool calls. Every span is new, so the
 * measured path is the accepting one, not the duplicate one.
 */

export interface OtlpBenchResult {
  name: string;
  requests: number;
  events: number;
  seconds: number;
  eventsPerSec: number;
}

const SPANS_PER_REQUEST = 100;
const RUNS_PER_REQUEST = 10;

function post(
  agent: Agent,
  url: string,
  key: string,
  contentType: string,
  body: Uint8Array,
): Promise<string> {
  return new Promise((ok, fail) => {
    const u = new URL('/v1/traces', url);
    const req = request(
      {
        agent,
        host: u.hostname,
        port: u.port,
        path: u.pathname,
        method: 'POST',
        headers: {
          authorization: `Bearer ${key}`,
          'content-type': contentType,
          'content-length': body.length,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('latin1');
          // 200 with an empty answer ({} or no bytes) means every span was accepted.
          if (res.statusCode === 200 && (text === '' || text === '{}')) ok(text);
          else fail(new Error(`OTLP request answered ${res.statusCode}: ${text.slice(0, 300)}`));
        });
      },
    );
    req.on('error', fail);
    req.end(body);
  });
}

/** Records `requests` batches of 100 spans with the SDK and returns their ReadableSpans per batch. */
export function recordBatches(agentId: string, requests: number, t0: number): ReadableSpan[][] {
  const memory = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({
    resource: resourceFromAttributes({
      'service.name': agentId,
      'service.version': '1.0.0',
      'deployment.environment.name': 'production',
    }),
    spanProcessors: [new SimpleSpanProcessor(memory)],
  });
  const tracer = provider.getTracer('vigil-bench');
  const batches: ReadableSpan[][] = [];
  for (let r = 0; r < requests; r++) {
    memory.reset();
    for (let run = 0; run < RUNS_PER_REQUEST; run++) {
      const start = t0 + (r * RUNS_PER_REQUEST + run) * 10;
      const root = tracer.startSpan('invoke_agent support', {
        startTime: start,
        attributes: { 'gen_ai.operation.name': 'invoke_agent', 'gen_ai.agent.name': 'support' },
      });
      const under = (name: string, offset: number, attributes: Record<string, string | number>): Span =>
        tracer.startSpan(
          name,
          { startTime: start + offset, attributes },
          trace.setSpan(context.active(), root),
        );
      for (let i = 0; i < 9; i++) {
        const openai = i % 3 === 0;
        const span =
          i % 3 === 2
            ? under('execute_tool lookup_order', i * 300, {
                'gen_ai.operation.name': 'execute_tool',
                'gen_ai.tool.name': 'lookup_order',
                'gen_ai.tool.call.id': `call_${i}`,
              })
            : under(openai ? 'chat gpt-4o-mini' : 'chat claude-sonnet-4-5', i * 300, {
                'gen_ai.operation.name': 'chat',
                'gen_ai.provider.name': openai ? 'openai' : 'anthropic',
                'gen_ai.request.model': openai ? 'gpt-4o-mini' : 'claude-sonnet-4-5',
                'gen_ai.usage.input_tokens': 800 + i,
                'gen_ai.usage.output_tokens': 120,
                'gen_ai.input.messages':
                  '[{"role":"user","parts":[{"type":"text","content":"Where is my order?"}]}]',
              });
        if ((r * RUNS_PER_REQUEST + run) % 20 === 19 && i === 1) {
          span.setStatus({ code: SpanStatusCode.ERROR, message: 'Request timed out' });
          span.setAttribute('error.type', 'APITimeoutError');
        }
        span.end(start + i * 300 + 250);
      }
      root.end(start + 3000);
    }
    const spans = memory.getFinishedSpans();
    if (spans.length !== SPANS_PER_REQUEST) throw new Error(`recorded ${spans.length} spans, not 100`);
    batches.push([...spans]);
  }
  return batches;
}

async function runPool(tasks: Array<() => Promise<unknown>>, concurrency: number): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < tasks.length) await tasks[next++]!();
    }),
  );
}

async function measure(
  name: string,
  url: string,
  key: string,
  contentType: string,
  bodies: Uint8Array[],
  concurrency: number,
): Promise<OtlpBenchResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  try {
    const start = performance.now();
    await runPool(
      bodies.map((b) => () => post(agent, url, key, contentType, b)),
      concurrency,
    );
    const seconds = (performance.now() - start) / 1000;
    const events = bodies.length * SPANS_PER_REQUEST;
    return { name, requests: bodies.length, events, seconds, eventsPerSec: events / seconds };
  } finally {
    agent.destroy();
  }
}

/**
 * OTLP/JSON and OTLP/protobuf ingest, 100 spans a request, `requests` requests each (after a few
 * warm-up requests that are not counted), `concurrency` at a time on keep-alive connections.
 */
export async function benchOtlp(
  baseUrl: string,
  apiKey: string,
  requests = 200,
  concurrency = 16,
): Promise<OtlpBenchResult[]> {
  const t0 = Date.now() - 3_600_000;
  const results: OtlpBenchResult[] = [];
  const encodings = [
    { name: 'OTLP/JSON', type: 'application/json', serialize: JsonTraceSerializer.serializeRequest },
    {
      name: 'OTLP/protobuf',
      type: 'application/x-protobuf',
      serialize: ProtobufTraceSerializer.serializeRequest,
    },
  ];
  for (const [n, encoding] of encodings.entries()) {
    const batches = recordBatches(`bench-otlp-${n}-${Date.now()}`, requests + 5, t0);
    const bodies = batches.map((spans) => encoding.serialize(spans as never)!);
    await measure('warm-up', baseUrl, apiKey, encoding.type, bodies.slice(0, 5), 1);
    results.push(
      await measure(
        `${encoding.name}, 100 spans/request`,
        baseUrl,
        apiKey,
        encoding.type,
        bodies.slice(5),
        concurrency,
      ),
    );
  }
  return results;
}
