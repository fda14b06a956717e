/**
 * Small stand-ins for the official `openai` and `@anthropic-ai/sdk` clients, with the traits a wrapper
 * can trip over: methods that use #private fields (so `this` must be the real object), an APIPromise that
 * subclasses Promise with withResponse()/asResponse(), and Stream objects with tee()/controller.
 */

/** Like the SDKs' APIPromise: a Promise subclass whose then() parses a response lazily, once. */
export class FakeAPIPromise<T> extends Promise<T> {
  #parsed: Promise<T> | undefined;
  parseCount = 0;
  constructor(private readonly produce: () => Promise<T>) {
    super((resolve) => resolve(null as T));
  }
  private parse(): Promise<T> {
    if (!this.#parsed) {
      this.parseCount++;
      this.#parsed = this.produce();
    }
    return this.#parsed;
  }
  // biome-ignore lint/suspicious/noThenProperty: mimics the provider SDKs' APIPromise, which overrides then()
  override then<A = T, B = never>(
    onfulfilled?: ((value: T) => A | PromiseLike<A>) | null,
    onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null,
  ): Promise<A | B> {
    return this.parse().then(onfulfilled, onrejected);
  }
  override catch<B = never>(onrejected?: ((reason: unknown) => B | PromiseLike<B>) | null): Promise<T | B> {
    return this.parse().catch(onrejected);
  }
  override finally(onfinally?: (() => void) | null): Promise<T> {
    return this.parse().finally(onfinally);
  }
  async withResponse(): Promise<{ data: T; response: { status: number }; request_id: string }> {
    return { data: await this.parse(), response: { status: 200 }, request_id: 'req_123' };
  }
  asResponse(): Promise<{ status: number; bodyUsed: boolean }> {
    return Promise.resolve({ status: 200, bodyUsed: false });
  }
}

/** Like the SDKs' Stream: async iterable once, with tee() and an AbortController. */
export class FakeStream<C> implements AsyncIterable<C> {
  #chunks: C[];
  readonly controller = new AbortController();
  constructor(
    chunks: C[],
    private readonly failAfter: number | null = null,
    private readonly failure: unknown = null,
  ) {
    this.#chunks = chunks;
  }
  async *[Symbol.asyncIterator](): AsyncIterator<C> {
    for (const [i, c] of this.#chunks.entries()) {
      if (this.failAfter !== null && i >= this.failAfter) throw this.failure;
      await new Promise((r) => setTimeout(r, 2));
      yield c;
    }
  }
  tee(): [FakeStream<C>, FakeStream<C>] {
    return [new FakeStream(this.#chunks), new FakeStream(this.#chunks)];
  }
}

export class FakeAPIError extends Error {
  constructor(
    readonly status: number | undefined,
    message: string,
    readonly error: unknown = undefined,
  ) {
    super(message);
  }
}
export class RateLimitError extends FakeAPIError {}
export class InternalServerError extends FakeAPIError {}
export class APIConnectionError extends FakeAPIError {}

export type Script = {
  value?: unknown;
  error?: unknown;
  stream?: (params: Record<string, unknown>) => unknown;
};

class Resource {
  #client: ScriptedClient;
  constructor(client: ScriptedClient) {
    this.#client = client;
  }
  create(params: Record<string, unknown>, _options?: unknown): FakeAPIPromise<unknown> {
    return this.#client.respond(params);
  }
}

class ScriptedClient {
  readonly requests: Array<Record<string, unknown>> = [];
  #script: Script[] = [];
  #apiKey = 'sk-test-0123';

  next(...s: Script[]): this {
    this.#script.push(...s);
    return this;
  }

  apiKeyPrefix(): string {
    return this.#apiKey.slice(0, 3);
  }

  respond(params: Record<string, unknown>): FakeAPIPromise<unknown> {
    this.requests.push(params);
    const step = this.#script.shift() ?? { error: new Error('no scripted answer') };
    if (params.model === 'sync-throw') throw new TypeError('missing required parameter: messages');
    return new FakeAPIPromise(async () => {
      await new Promise((r) => setTimeout(r, 15));
      if (step.error) throw step.error;
      return step.stream ? step.stream(params) : step.value;
    });
  }
}

export class FakeOpenAI extends ScriptedClient {
  readonly chat = { completions: new Resource(this) };
  readonly responses = new Resource(this);
  readonly embeddings = new Resource(this);
  readonly models = { list: async () => ({ data: [{ id: 'gpt-4o' }] }) };
}

export class FakeAnthropic extends ScriptedClient {
  readonly messages = new Resource(this);
}

// ---------------------------------------------------------------------------------------------------------
// Realistic answers
// ---------------------------------------------------------------------------------------------------------

export const chatCompletion = {
  id: 'chatcmpl-B9MBs8CjcvOU2jLn4n570S5qMJKcT',
  object: 'chat.completion',
  created: 1741569952,
  model: 'gpt-4o-2024-08-06',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content: 'Refunds take 5 days.', refusal: null, annotations: [] },
      logprobs: null,
      finish_reason: 'stop',
    },
  ],
  usage: {
    prompt_tokens: 1200,
    completion_tokens: 300,
    total_tokens: 1500,
    prompt_tokens_details: { cached_tokens: 1024, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 0,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
  service_tier: 'default',
  system_fingerprint: 'fp_fc9f1d7035',
};

export const reasoningCompletion = {
  ...chatCompletion,
  id: 'chatcmpl-o3',
  model: 'o3-mini-2025-01-31',
  usage: {
    prompt_tokens: 800,
    completion_tokens: 900,
    total_tokens: 1700,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: 704,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  },
};

/** Chat chunks as the API streams them; the usage-only chunk only when include_usage was asked for. */
export function chatChunks(params: Record<string, unknown>) {
  const base = {
    id: 'chatcmpl-stream',
    object: 'chat.completion.chunk',
    created: 1741569952,
    model: 'gpt-4o-2024-08-06',
  };
  const withUsage =
    (params.stream_options as { include_usage?: boolean } | undefined)?.include_usage === true;
  const usageField = withUsage ? { usage: null } : {};
  const choice = (delta: Record<string, unknown>, finish: string | null = null) => ({
    ...base,
    ...usageField,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
  });
  const chunks: unknown[] = [
    choice({ role: 'assistant', content: '', refusal: null }),
    choice({ content: 'Refunds ' }),
    choice({ content: 'take 5 days.' }),
    choice({}, 'stop'),
  ];
  if (withUsage) {
    chunks.push({
      ...base,
      choices: [],
      usage: {
        prompt_tokens: 1200,
        completion_tokens: 7,
        total_tokens: 1207,
        prompt_tokens_details: { cached_tokens: 1152, audio_tokens: 0 },
        completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0 },
      },
    });
  }
  return chunks;
}

export const responsesResult = {
  id: 'resp_67ccd2bed1ec8190b14f964abc054267',
  object: 'response',
  created_at: 1741476542,
  status: 'completed',
  error: null,
  model: 'o4-mini-2025-04-16',
  output: [
    { type: 'reasoning', id: 'rs_1', summary: [] },
    {
      type: 'message',
      id: 'msg_1',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: '42', annotations: [] }],
    },
  ],
  output_text: '42',
  usage: {
    input_tokens: 900,
    input_tokens_details: { cached_tokens: 512 },
    output_tokens: 700,
    output_tokens_details: { reasoning_tokens: 640 },
    total_tokens: 1600,
  },
};

export function responsesEvents() {
  const inProgress = { ...responsesResult, status: 'in_progress', output: [], usage: null };
  return [
    { type: 'response.created', sequence_number: 0, response: inProgress },
    {
      type: 'response.output_text.delta',
      sequence_number: 1,
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: '4',
    },
    {
      type: 'response.output_text.delta',
      sequence_number: 2,
      item_id: 'msg_1',
      output_index: 1,
      content_index: 0,
      delta: '2',
    },
    { type: 'response.completed', sequence_number: 3, response: responsesResult },
  ];
}

export const embeddingResult = {
  object: 'list',
  data: [{ object: 'embedding', index: 0, embedding: [0.0023, -0.0093, 0.0157] }],
  model: 'text-embedding-3-small',
  usage: { prompt_tokens: 8, total_tokens: 8 },
};

export const anthropicMessage = {
  id: 'msg_01XFDUDYJgAACzvnptvVoYEL',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: 'Refunds take 5 days.' }],
  stop_reason: 'end_turn',
  stop_sequence: null,
  usage: {
    input_tokens: 50,
    cache_creation_input_tokens: 200,
    cache_read_input_tokens: 3000,
    output_tokens: 400,
    service_tier: 'standard',
  },
};

export function anthropicEvents() {
  return [
    {
      type: 'message_start',
      message: {
        ...anthropicMessage,
        content: [],
        stop_reason: null,
        usage: {
          input_tokens: 50,
          cache_creation_input_tokens: 0,
          cache_read_input_tokens: 3000,
          output_tokens: 1,
        },
      },
    },
    { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
    { type: 'ping' },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Refunds ' } },
    { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'take 5 days.' } },
    { type: 'content_block_stop', index: 0 },
    {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: 412 },
    },
    { type: 'message_stop' },
  ];
}
