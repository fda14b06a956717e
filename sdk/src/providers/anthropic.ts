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

/** The part of the official `@anthropic-ai/sdk` client this wrapper touches (structural). */
export interface AnthropicLike {
  messages?: { create?: (...args: never[]) => unknown };
}

/**
 * Records every `messages.create` call of an Anthropic client (streaming with `stream: true` included)
 * as an `llm` event. Returns a proxy: the caller's code and the values it gets back are unchanged.
 * `messages.stream()` (the helper) is passed through unrecorded.
 */
export function wrapAnthropic<T extends object>(client: T, options: WrapOptions = {}): T {
  try {
    return proxyMethods(client, { messages: { create: instrumentMethod(messagesAdapter, options) } });
  } catch {
    return client;
  }
}

/**
 * Anthropic's input_tokens excludes cache reads and cache writes; Vigil's input tokens include every
 * prompt token, with cache reads as the cached subset. Cache writes are priced as input (their surcharge
 * is not modelled by the server) and kept in metadata.
 */
export function anthropicUsage(u: unknown): TokenUsage | undefined {
  if (!isObject(u)) return undefined;
  const input = num(u.input_tokens);
  const cacheRead = num(u.cache_read_input_tokens) ?? 0;
  const cacheWrite = num(u.cache_creation_input_tokens) ?? 0;
  return {
    inputTokens: input === undefined ? undefined : input + cacheRead + cacheWrite,
    outputTokens: num(u.output_tokens),
    cachedInputTokens: cacheRead,
  };
}

const messagesAdapter: Adapter = {
  provider: 'anthropic',
  name: 'anthropic.messages',
  input: (params) => params,
  fromResponse(r) {
    if (!isObject(r)) return {};
    const usage = isObject(r.usage) ? r.usage : {};
    return {
      model: str(r.model),
      usage: anthropicUsage(r.usage),
      output: r.content,
      metadata: {
        response_id: str(r.id),
        stop_reason: r.stop_reason,
        cache_creation_input_tokens: num(usage.cache_creation_input_tokens),
      },
    };
  },
  stream(params) {
    let model: string | undefined;
    let id: string | undefined;
    let usage: Record<string, unknown> = {};
    let stopReason: unknown;
    const text = new TextBuffer();
    return {
      params,
      state: {
        onChunk(event) {
          if (!isObject(event)) return true;
          if (event.type === 'message_start' && isObject(event.message)) {
            model = str(event.message.model);
            id = str(event.message.id);
            if (isObject(event.message.usage)) usage = { ...event.message.usage };
          }
          if (event.type === 'content_block_delta' && isObject(event.delta)) text.add(event.delta.text);
          if (event.type === 'message_delta') {
            // message_delta usage is cumulative; fields it carries replace the message_start ones
            if (isObject(event.usage)) {
              for (const [k, v] of Object.entries(event.usage))
                if (v !== null && v !== undefined) usage[k] = v;
            }
            if (isObject(event.delta)) stopReason = event.delta.stop_reason ?? stopReason;
          }
          return true;
        },
        finish: (): CallResult => ({
          model,
          usage: anthropicUsage(usage),
          output: { text: text.text },
          metadata: {
            response_id: id,
            stop_reason: stopReason,
            cache_creation_input_tokens: num(usage.cache_creation_input_tokens),
          },
        }),
      },
    };
  },
};
