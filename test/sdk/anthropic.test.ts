import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { anthropicUsage, wrapAnthropic } from '../../sdk/src/index';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import {
  anthropicEvents,
  anthropicMessage,
  FakeAnthropic,
  FakeStream,
  InternalServerError,
  type Script,
} from './fakes';
import { client, getSession, newAgent } from './support';

// biome-ignore lint/suspicious/noExplicitAny: session views are arbitrary JSON
type View = any;

describe('wrapAnthropic', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  async function recorded(script: Script[], act: (anthropic: FakeAnthropic) => Promise<void>) {
    const vigil = client(v, newAgent());
    const session = vigil.session();
    const fake = new FakeAnthropic().next(...script);
    await session.run(() => act(wrapAnthropic(fake)));
    session.end();
    await vigil.flush();
    await vigil.shutdown();
    return (await getSession(v, session.id)).body as View;
  }

  it('counts cache reads and writes as input, with cache reads as the cached part', () => {
    // Act
    const usage = anthropicUsage(anthropicMessage.usage);

    // Assess
    expect(usage).toEqual({ inputTokens: 3250, outputTokens: 400, cachedInputTokens: 3000 });
  });

  it('records a message: model, tokens, stop reason, payload and server cost', async () => {
    // Prepare
    let answer: unknown;

    // Act
    const view = await recorded([{ value: anthropicMessage }], async (anthropic) => {
      answer = await anthropic.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        system: 'You are a support agent.',
        messages: [{ role: 'user', content: 'How long do refunds take?' }],
      });
    });

    // Assess
    expect(answer).toBe(anthropicMessage);
    expect(view.events[0]).toMatchObject({
      name: 'anthropic.messages',
      provider: 'anthropic',
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: 3250, cached_input_tokens: 3000, output_tokens: 400 },
      metadata: { stop_reason: 'end_turn', cache_creation_input_tokens: 200, stream: false },
      payload: { output: [{ type: 'text', text: 'Refunds take 5 days.' }] },
      cost: { source: 'server', unpriced: false },
    });
    expect(view.events[0].payload.input.system).toBe('You are a support agent.');
  });

  it('records a streamed message from message_start and the cumulative message_delta usage', async () => {
    // Prepare
    const seen: unknown[] = [];

    // Act
    const view = await recorded([{ stream: () => new FakeStream(anthropicEvents()) }], async (anthropic) => {
      const stream = await anthropic.messages.create({
        model: 'claude-sonnet-4-5',
        max_tokens: 1024,
        messages: [],
        stream: true,
      });
      for await (const event of stream as AsyncIterable<unknown>) seen.push(event);
    });

    // Assess
    expect(seen).toHaveLength(anthropicEvents().length);
    expect(view.events[0]).toMatchObject({
      model: 'claude-sonnet-4-5-20250929',
      usage: { input_tokens: 3050, cached_input_tokens: 3000, output_tokens: 412 },
      payload: { output: { text: 'Refunds take 5 days.' } },
      metadata: { stream: true, stream_completed: true, stop_reason: 'end_turn' },
    });
  });

  it('records an overloaded API (529) as a provider-side api error and rethrows it', async () => {
    // Prepare
    const overloaded = new InternalServerError(
      529,
      '529 {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}',
    );
    let caught: unknown;

    // Act
    const view = await recorded([{ error: overloaded }], async (anthropic) => {
      await anthropic.messages
        .create({ model: 'claude-sonnet-4-5', max_tokens: 1, messages: [] })
        .catch((e: unknown) => {
          caught = e;
        });
    });

    // Assess
    expect(caught).toBe(overloaded);
    expect(view.totals.errors).toBe(1);
    expect(view.events[0].error).toMatchObject({ category: 'api', type: 'InternalServerError' });
  });
});
