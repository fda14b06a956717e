import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { wrapOpenAI } from '../../sdk/src/index';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import {
  APIConnectionError,
  chatChunks,
  chatCompletion,
  embeddingResult,
  type FakeAPIPromise,
  FakeOpenAI,
  FakeStream,
  RateLimitError,
  reasoningCompletion,
  responsesEvents,
  responsesResult,
} from './fakes';
import { client, getSession, newAgent } from './support';

// biome-ignore lint/suspicious/noExplicitAny: session views are arbitrary JSON
type View = any;

describe('wrapOpenAI', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  /** Runs `act` in a fresh session and returns what the server stored for it. */
  async function recorded(
    act: (openai: FakeOpenAI, session: ReturnType<ReturnType<typeof client>['session']>) => Promise<void>,
  ) {
    const vigil = client(v, newAgent());
    const session = vigil.session();
    const openai = new FakeOpenAI();
    await act(openai, session);
    session.end();
    await vigil.flush();
    await vigil.shutdown();
    const res = await getSession(v, session.id);
    return { view: res.body as View, llm: res.body.events.filter((e: View) => e.type === 'llm') as View[] };
  }

  it('records model, tokens with cached and reasoning, latency and payload of chat completions', async () => {
    // Prepare
    let answer: unknown;
    let reasoning: unknown;

    // Act
    const { llm } = await recorded(async (fake, session) => {
      fake.next({ value: chatCompletion }, { value: reasoningCompletion });
      const openai = wrapOpenAI(fake, { session });
      const messages = [{ role: 'user', content: 'How long do refunds take?' }];
      answer = await openai.chat.completions.create({ model: 'gpt-4o', messages });
      reasoning = await openai.chat.completions.create({
        model: 'o3-mini',
        messages,
        reasoning_effort: 'high',
      });
    });

    // Assess
    expect(answer).toBe(chatCompletion);
    expect(reasoning).toBe(reasoningCompletion);
    const [plain, thinking] = llm;
    expect(plain).toMatchObject({
      name: 'openai.chat.completions',
      provider: 'openai',
      model: 'gpt-4o-2024-08-06',
      usage: { input_tokens: 1200, output_tokens: 300, cached_input_tokens: 1024, reasoning_tokens: 0 },
      metadata: { stream: false, response_id: chatCompletion.id, finish_reasons: ['stop'] },
      payload: {
        input: { model: 'gpt-4o', messages: [{ role: 'user', content: 'How long do refunds take?' }] },
        output: [{ message: { content: 'Refunds take 5 days.' }, finish_reason: 'stop' }],
      },
      error: null,
    });
    expect(plain.duration_ms).toBeGreaterThanOrEqual(10);
    expect(plain.cost).toMatchObject({ source: 'server', unpriced: false });
    expect(thinking).toMatchObject({
      model: 'o3-mini-2025-01-31',
      usage: { input_tokens: 800, output_tokens: 900, reasoning_tokens: 704 },
    });
  });

  it('records failed calls with the status so the server classifies them, and rethrows the same error', async () => {
    // Prepare
    const rateLimited = new RateLimitError(
      429,
      '429 Rate limit reached for gpt-4o in organization org-1 on tokens per min (TPM)',
      {
        type: 'tokens',
        code: 'rate_limit_exceeded',
      },
    );
    let caught: unknown;
    let syncCaught: unknown;

    // Act
    const { view, llm } = await recorded(async (fake, session) => {
      fake.next({ error: rateLimited });
      const openai = wrapOpenAI(fake, { session });
      try {
        await openai.chat.completions.create({ model: 'gpt-4o', messages: [] });
      } catch (e) {
        caught = e;
      }
      try {
        openai.chat.completions.create({ model: 'sync-throw' });
      } catch (e) {
        syncCaught = e;
      }
    });

    // Assess
    expect(caught).toBe(rateLimited);
    expect(syncCaught).toBeInstanceOf(TypeError);
    expect(view.totals.errors).toBe(2);
    const limited = llm.find((e) => e.model === 'gpt-4o');
    expect(limited.error).toMatchObject({ category: 'rate_limit', type: 'RateLimitError' });
    expect(llm.find((e) => e.model === 'sync-throw').error).toMatchObject({ type: 'TypeError' });
  });

  it('streams chat completions unchanged for the caller while recording the usage it did not ask for', async () => {
    // Prepare
    const seen: unknown[] = [];
    let sentParams: Record<string, unknown> | undefined;

    // Act
    const { llm } = await recorded(async (fake, session) => {
      fake.next({ stream: (p) => new FakeStream(chatChunks(p)) });
      const openai = wrapOpenAI(fake, { session });
      const stream = await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [] });
      for await (const chunk of stream as AsyncIterable<{
        choices: Array<{ delta: { content?: string } }>;
      }>) {
        seen.push(chunk);
        // code written for streams without usage chunks: choices[0] always exists
        expect(chunk.choices[0]).toBeDefined();
      }
      sentParams = fake.requests[0];
    });

    // Assess
    expect(seen).toHaveLength(4);
    expect(sentParams?.stream_options).toEqual({ include_usage: true });
    expect(llm[0]).toMatchObject({
      model: 'gpt-4o-2024-08-06',
      usage: { input_tokens: 1200, output_tokens: 7, cached_input_tokens: 1152 },
      payload: { output: { text: 'Refunds take 5 days.' } },
      metadata: { stream: true, stream_completed: true, usage_reported: true, finish_reasons: ['stop'] },
    });
    expect(llm[0].payload.input.stream_options).toBeUndefined();
    expect(llm[0].metadata.time_to_first_chunk_ms).toBeGreaterThanOrEqual(10);
  });

  it('hands the caller its answer even when the answer cannot be read for recording', async () => {
    // Prepare: an answer whose usage getter throws
    const odd = {
      ...chatCompletion,
      get usage(): never {
        throw new Error('not readable');
      },
    };
    let answer: unknown;

    // Act
    await recorded(async (fake, session) => {
      fake.next({ value: odd });
      answer = await wrapOpenAI(fake, { session }).chat.completions.create({ model: 'gpt-4o', messages: [] });
    });

    // Assess
    expect(answer).toBe(odd);
  });

  it('passes the usage chunk through when the caller asked for it, and records a stream cut short', async () => {
    // Prepare
    const seen: unknown[] = [];

    // Act
    const { llm } = await recorded(async (fake, session) => {
      fake.next(
        { stream: (p) => new FakeStream(chatChunks(p)) },
        { stream: (p) => new FakeStream(chatChunks(p)) },
      );
      const openai = wrapOpenAI(fake, { session });
      const own = await openai.chat.completions.create({
        model: 'gpt-4o',
        stream: true,
        stream_options: { include_usage: true },
        messages: [],
      });
      for await (const chunk of own as AsyncIterable<unknown>) seen.push(chunk);
      const cut = await openai.chat.completions.create({ model: 'gpt-4o-mini', stream: true, messages: [] });
      for await (const _ of cut as AsyncIterable<unknown>) break;
    });

    // Assess
    expect(seen).toHaveLength(5);
    const cut = llm.find((e) => e.payload.input.model === 'gpt-4o-mini');
    expect(cut.metadata).toMatchObject({ stream_completed: false });
  });

  it('records a stream that fails midway with what arrived, and rethrows to the caller', async () => {
    // Prepare
    const dropped = new APIConnectionError(undefined, 'Connection error.');
    let caught: unknown;

    // Act
    const { llm } = await recorded(async (fake, session) => {
      fake.next({ stream: (p) => new FakeStream(chatChunks(p), 2, dropped) });
      const openai = wrapOpenAI(fake, { session });
      const stream = await openai.chat.completions.create({ model: 'gpt-4o', stream: true, messages: [] });
      try {
        for await (const _ of stream as AsyncIterable<unknown>) {
          // reading
        }
      } catch (e) {
        caught = e;
      }
    });

    // Assess
    expect(caught).toBe(dropped);
    expect(llm[0]).toMatchObject({
      error: { type: 'APIConnectionError', category: 'network' },
      payload: { output: { text: 'Refunds ' } },
    });
  });

  it('records the Responses API (reasoning and cached tokens), streamed and not, and embeddings', async () => {
    // Act
    const { llm } = await recorded(async (fake, session) => {
      fake.next(
        { value: responsesResult },
        { stream: () => new FakeStream(responsesEvents()) },
        { value: embeddingResult },
      );
      const openai = wrapOpenAI(fake, { session });
      await openai.responses.create({ model: 'o4-mini', input: 'What is 6 × 7?' });
      const stream = await openai.responses.create({
        model: 'o4-mini',
        input: 'What is 6 × 7?',
        stream: true,
      });
      for await (const _ of stream as AsyncIterable<unknown>) {
        // reading
      }
      await openai.embeddings.create({ model: 'text-embedding-3-small', input: 'refunds' });
    });

    // Assess
    const responses = llm.filter((e) => e.name === 'openai.responses');
    expect(responses).toHaveLength(2);
    for (const r of responses) {
      expect(r).toMatchObject({
        model: 'o4-mini-2025-04-16',
        usage: { input_tokens: 900, cached_input_tokens: 512, output_tokens: 700, reasoning_tokens: 640 },
      });
    }
    expect(responses.map((r) => r.payload.output)).toContainEqual({ text: '42' });
    expect(llm.find((e) => e.name === 'openai.embeddings')).toMatchObject({
      model: 'text-embedding-3-small',
      usage: { input_tokens: 8, output_tokens: 0 },
      metadata: { vectors: 1 },
    });
  });

  it('leaves the client working as before: private fields, other resources, withResponse, asResponse, identity', async () => {
    // Prepare
    const fake = new FakeOpenAI();
    fake.next({ value: chatCompletion }, { value: chatCompletion });
    const vigil = client(v, newAgent());
    const session = vigil.session();
    const openai = wrapOpenAI(fake, { session });

    // Act
    const promise = openai.chat.completions.create({
      model: 'gpt-4o',
      messages: [],
    }) as FakeAPIPromise<unknown>;
    const { data, request_id } = await promise.withResponse();
    const again = await promise;
    const raw = await (
      openai.chat.completions.create({ model: 'gpt-4o', messages: [] }) as FakeAPIPromise<unknown>
    ).asResponse();
    const models = await openai.models.list();
    session.end();
    await vigil.flush();
    const res = await getSession(v, session.id);
    await vigil.shutdown();

    // Assess
    expect(data).toBe(chatCompletion);
    expect(again).toBe(chatCompletion);
    expect(request_id).toBe('req_123');
    expect(raw).toEqual({ status: 200, bodyUsed: false });
    expect(models.data[0]!.id).toBe('gpt-4o');
    expect(openai.apiKeyPrefix()).toBe('sk-');
    expect(openai.chat).toBe(openai.chat);
    expect(openai.chat.completions.create).toBe(openai.chat.completions.create);
    expect(openai).toBeInstanceOf(FakeOpenAI);
    // withResponse() and await on the same promise are one call: recorded once; asResponse() is not parsed
    expect(res.body.events).toHaveLength(1);
  });

  it('records into the session of the enclosing run() scope, else the latest open session', async () => {
    // Prepare
    const vigil = client(v, newAgent());
    const fake = new FakeOpenAI().next(
      { value: chatCompletion },
      { value: chatCompletion },
      { value: chatCompletion },
    );
    const openai = wrapOpenAI(fake);
    const alice = vigil.session({ sessionName: 'alice' });
    const bob = vigil.session({ sessionName: 'bob' });

    // Act: two requests interleaved across awaits, plus one outside any scope
    await Promise.all([
      alice.run(async () => {
        await new Promise((r) => setTimeout(r, 5));
        await openai.chat.completions.create({ model: 'gpt-4o', messages: [], user: 'alice' });
      }),
      bob.run(() => openai.chat.completions.create({ model: 'gpt-4o', messages: [], user: 'bob' })),
    ]);
    await openai.chat.completions.create({ model: 'gpt-4o', messages: [], user: 'latest' });
    alice.end();
    bob.end();
    await vigil.flush();
    const [a, b] = await Promise.all([getSession(v, alice.id), getSession(v, bob.id)]);
    await vigil.shutdown();

    // Assess
    expect(a.body.events.map((e: View) => e.payload.input.user)).toEqual(['alice']);
    expect(b.body.events.map((e: View) => e.payload.input.user).sort()).toEqual(['bob', 'latest']);
  });

  it('nests calls made inside a tool under it, and records no payload when asked not to', async () => {
    // Act
    const { view } = await recorded(async (fake, session) => {
      fake.next({ value: chatCompletion });
      const openai = wrapOpenAI(fake, { capturePayloads: false });
      const summarise = session.tool('summarise', async () =>
        openai.chat.completions.create({ model: 'gpt-4o', messages: [] }),
      );
      await summarise();
    });

    // Assess
    const tool = view.events.find((e: View) => e.type === 'tool');
    const llm = view.events.find((e: View) => e.type === 'llm');
    expect(llm.parent_event_id).toBe(tool.event_id);
    expect(llm.payload).toBeNull();
    expect(llm.usage.input_tokens).toBe(1200);
  });
});
