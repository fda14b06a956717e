import type { TokenUsage } from '../normalize.js';
import {
  type Adapter,
  type CallResult,
  instrumentMethod,
  isObject,
  num,
  str,
  TextBuffer,
  type WrapOptions,
} from './instrument.js';
import { proxyMethods } from './observe.js';

/**
 * The parts of the official `openai` client this wrapper touches, typed structurally so that the SDK does
 * not depend on the `openai` package. Any object with these methods works (Azure OpenAI, compatible
 * gateways, test fakes).
 */
export interface OpenAILike {
  chat?: { completions?: { create?: (...args: never[]) => unknown } };
  responses?: { create?: (...args: never[]) => unknown };
  embeddings?: { create?: (...args: never[]) => unknown };
}

export interface OpenAIWrapOptions extends WrapOptions {
  /**
   * Ask for token usage on streamed chat completions (`stream_options.include_usage`) when the caller did
   * not, and hide the extra usage-only chunk from the caller so the stream looks as it would have.
   * @default true
   */
  streamUsage?: boolean;
}

/**
 * Records every `chat.completions.create`, `responses.create` and `embeddings.create` call of an OpenAI
 * client as an `llm` event (model, tokens with cached and reasoning, latency, errors), streaming included.
 * Returns a proxy: the caller's code and the values it gets back are unchanged.
 */
export function wrapOpenAI<T extends object>(client: T, options: OpenAIWrapOptions = {}): T {
  try {
    return proxyMethods(client, {
      chat: { completions: { create: instrumentMethod(chatAdapter(options), options) } },
      responses: { create: instrumentMethod(responsesAdapter, options) },
      embeddings: { create: instrumentMethod(embeddingsAdapter, options) },
    });
  } catch {
    return client;
  }
}

/** prompt_tokens includes cached tokens and completion_tokens includes reasoning tokens, as Vigil counts them. */
export function openAIChatUsage(u: unknown): TokenUsage | undefined {
  if (!isObject(u)) return undefined;
  const prompt = isObject(u.prompt_tokens_details) ? u.prompt_tokens_details : {};
  const completion = isObject(u.completion_tokens_details) ? u.completion_tokens_details : {};
  return {
    inputTokens: num(u.prompt_tokens),
    outputTokens: num(u.completion_tokens),
    cachedInputTokens: num(prompt.cached_tokens),
    reasoningTokens: num(completion.reasoning_tokens),
  };
}

/** The Responses API names: input_tokens / output_tokens with *_details. */
export function openAIResponsesUsage(u: unknown): TokenUsage | undefined {
  if (!isObject(u)) return undefined;
  const input = isObject(u.input_tokens_details) ? u.input_tokens_details : {};
  const output = isObject(u.output_tokens_details) ? u.output_tokens_details : {};
  return {
    inputTokens: num(u.input_tokens),
    outputTokens: num(u.output_tokens),
    cachedInputTokens: num(input.cached_tokens),
    reasoningTokens: num(output.reasoning_tokens),
  };
}

function chatAdapter(options: OpenAIWrapOptions): Adapter {
  return {
    provider: 'openai',
    name: 'openai.chat.completions',
    input: (params) => params,
    fromResponse(r) {
      if (!isObject(r)) return {};
      const choices = Array.isArray(r.choices) ? r.choices : [];
      return {
        model: str(r.model),
        usage: openAIChatUsage(r.usage),
        output: choices.map((c) =>
          isObject(c) ? { message: c.message, finish_reason: c.finish_reason } : c,
        ),
        metadata: {
          response_id: str(r.id),
          finish_reasons: choices.map((c) => (isObject(c) ? c.finish_reason : null)),
        },
      };
    },
    stream(params) {
      const streamOptions = isObject(params.stream_options) ? params.stream_options : {};
      const inject = options.streamUsage !== false && streamOptions.include_usage !== true;
      const next = inject ? { ...params, stream_options: { ...streamOptions, include_usage: true } } : params;
      let model: string | undefined;
      let usage: TokenUsage | undefined;
      let id: string | undefined;
      const text = new TextBuffer();
      const finish: unknown[] = [];
      let toolCalls = 0;
      return {
        params: next,
        state: {
          onChunk(chunk) {
            if (!isObject(chunk)) return true;
            model ??= str(chunk.model);
            id ??= str(chunk.id);
            const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
            for (const c of choices) {
              if (!isObject(c)) continue;
              const delta = isObject(c.delta) ? c.delta : {};
              text.add(delta.content);
              if (Array.isArray(delta.tool_calls)) toolCalls += delta.tool_calls.length;
              if (c.finish_reason) finish.push(c.finish_reason);
            }
            if (isObject(chunk.usage)) {
              usage = openAIChatUsage(chunk.usage);
              // the usage-only chunk we asked for: the caller did not, so it does not see it
              if (inject && choices.length === 0) return false;
            }
            return true;
          },
          finish: (): CallResult => ({
            model,
            usage,
            output: { text: text.text, ...(toolCalls ? { tool_call_deltas: toolCalls } : {}) },
            metadata: { response_id: id, finish_reasons: finish, usage_reported: usage !== undefined },
          }),
        },
      };
    },
  };
}

const responsesAdapter: Adapter = {
  provider: 'openai',
  name: 'openai.responses',
  input: (params) => params,
  fromResponse(r) {
    if (!isObject(r)) return {};
    return {
      model: str(r.model),
      usage: openAIResponsesUsage(r.usage),
      output: r.output_text ?? r.output,
      error: r.status === 'failed' ? responseError(r.error) : undefined,
      metadata: { response_id: str(r.id), status: r.status },
    };
  },
  stream(params) {
    let final: Record<string, unknown> | undefined;
    let model: string | undefined;
    let error: unknown;
    const text = new TextBuffer();
    return {
      params,
      state: {
        onChunk(event) {
          if (!isObject(event)) return true;
          const response = isObject(event.response) ? event.response : undefined;
          if (response) model = str(response.model) ?? model;
          if (event.type === 'response.output_text.delta') text.add(event.delta);
          if (event.type === 'response.completed' || event.type === 'response.incomplete') final = response;
          if (event.type === 'response.failed') {
            final = response;
            error = responseError(response?.error);
          }
          if (event.type === 'error') error = responseError(event);
          return true;
        },
        finish: (): CallResult => ({
          model,
          usage: openAIResponsesUsage(final?.usage),
          output: { text: text.text },
          error,
          metadata: { response_id: str(final?.id), status: final?.status },
        }),
      },
    };
  },
};

const embeddingsAdapter: Adapter = {
  provider: 'openai',
  name: 'openai.embeddings',
  input: (params) => ({ model: params.model, input: params.input }),
  fromResponse(r) {
    if (!isObject(r)) return {};
    const usage = isObject(r.usage) ? r.usage : {};
    return {
      model: str(r.model),
      usage: { inputTokens: num(usage.prompt_tokens), outputTokens: 0 },
      metadata: { vectors: Array.isArray(r.data) ? r.data.length : null },
    };
  },
};

/** A failure the API reported inside a 200 answer, as an Error the server can classify. */
function responseError(e: unknown): Error | undefined {
  if (!isObject(e)) return e === undefined ? undefined : new Error(String(e));
  const err = new Error(str(e.message) ?? 'response failed');
  err.name = str(e.code) ?? str(e.type) ?? 'ResponseError';
  return err;
}
