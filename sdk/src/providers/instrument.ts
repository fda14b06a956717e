import { resolveSession } from '../context.js';
import type { TokenUsage } from '../normalize.js';
import type { EventTimer, LlmFields, VigilSession } from '../session.js';
import { type AnyMethod, isAsyncIterable, observePromise, observeStream } from './observe.js';

export interface WrapOptions {
  /**
   * The session calls are recorded into. @default the session of the enclosing `session.run()` /
   * span / tool, else the most recent open session. Without any, calls pass through unrecorded.
   */
  session?: VigilSession | (() => VigilSession | undefined);
  /** Record request and response as the payload. @default the client's capturePayloads */
  capturePayloads?: boolean;
}

/** What an adapter reads from a response or a finished stream. */
export interface CallResult {
  model?: string | undefined;
  usage?: TokenUsage | undefined;
  output?: unknown;
  /** A failure reported in a 200 answer (e.g. a Responses API status "failed"). */
  error?: unknown;
  metadata?: Record<string, unknown>;
}

export interface StreamState<C> {
  /** Sees each chunk; false hides it from the caller. */
  onChunk(chunk: C): boolean;
  finish(): CallResult;
}

/** How one provider method's calls and answers look. */
export interface Adapter<P = Record<string, unknown>> {
  provider: string;
  name: string;
  /** The request to record as the payload's input. */
  input(params: P): unknown;
  fromResponse(response: unknown, params: P): CallResult;
  /** For `stream: true`: may change params (returning new ones) and reads the chunks. */
  stream?(params: P): { params: P; state: StreamState<unknown> };
}

/** Returns a replacement for `original` that records each call as an `llm` event. */
export function instrumentMethod(adapter: Adapter, options: WrapOptions) {
  return (original: AnyMethod, owner: object): AnyMethod =>
    function instrumented(this: unknown, ...args: unknown[]): unknown {
      let timer: EventTimer | null = null;
      let stream: { state: StreamState<unknown> } | null = null;
      let callArgs = args;
      try {
        const session = resolveSession(options.session);
        if (session && !session.ended) {
          const params = (isObject(args[0]) ? args[0] : {}) as Record<string, unknown>;
          if (params.stream === true && adapter.stream) {
            const prepared = adapter.stream(params);
            stream = { state: prepared.state };
            callArgs = [prepared.params, ...args.slice(1)];
          }
          const capture = options.capturePayloads ?? true;
          timer = session.start('llm', {
            name: adapter.name,
            provider: adapter.provider,
            ...(typeof params.model === 'string' ? { model: params.model } : {}),
            ...(capture ? { input: adapter.input(params) } : {}),
            metadata: { stream: stream !== null },
          });
          if (!capture) timer = withoutOutput(timer);
        }
      } catch {
        timer = null;
        callArgs = args;
      }
      if (!timer) return original.apply(owner, args);
      const t = timer;
      const calledAt = performance.now();
      let result: unknown;
      try {
        result = original.apply(owner, callArgs);
      } catch (e) {
        t.fail(e);
        throw e;
      }
      if (!isThenable(result)) return result;
      try {
        return observePromise(result, {
          onValue: (value) => {
            if (stream && isAsyncIterable(value)) return observeChunks(value, stream.state, t, calledAt);
            t.end(fields(adapter.fromResponse(value, callArgs[0] as Record<string, unknown>), false));
            return value;
          },
          onError: (e) => t.fail(e),
        });
      } catch {
        return result;
      }
    };
}

/** Records the call when the stream ends, with time to first chunk measured from the request. */
function observeChunks(
  value: AsyncIterable<unknown>,
  state: StreamState<unknown>,
  timer: EventTimer,
  calledAt: number,
) {
  let firstChunkMs: number | null = null;
  return observeStream(value, {
    onChunk: (chunk) => {
      firstChunkMs ??= Math.round(performance.now() - calledAt);
      return state.onChunk(chunk);
    },
    onEnd: (completed) => {
      const f = fields(state.finish(), true);
      f.metadata = { ...f.metadata, stream_completed: completed, time_to_first_chunk_ms: firstChunkMs };
      timer.end(f);
    },
    onError: (e) => {
      const f = fields(state.finish(), true);
      timer.fail(e, f);
    },
  });
}

function fields(r: CallResult, stream: boolean): LlmFields {
  const f: LlmFields = { metadata: { stream, ...r.metadata } };
  if (r.model) f.model = r.model;
  if (r.usage) f.usage = r.usage;
  if (r.output !== undefined) f.output = r.output;
  if (r.error !== undefined && r.error !== null) f.error = r.error;
  return f;
}

/** A timer that never records output (capturePayloads: false on the wrapper). */
function withoutOutput(timer: EventTimer): EventTimer {
  const end = timer.end.bind(timer);
  timer.end = (f: LlmFields = {}) => {
    const { output: _o, ...rest } = f;
    return end(rest);
  };
  return timer;
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

const isThenable = (v: unknown): v is PromiseLike<unknown> =>
  (typeof v === 'object' || typeof v === 'function') &&
  v !== null &&
  typeof (v as PromiseLike<unknown>).then === 'function';

/** `n` if it is a non-negative finite number. */
export const num = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;

export const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Appends text up to a cap (stream transcripts are a preview, not an archive). */
export class TextBuffer {
  private parts: string[] = [];
  private length = 0;
  constructor(private readonly max = 64 * 1024) {}
  add(s: unknown): void {
    if (typeof s !== 'string' || this.length >= this.max) return;
    const piece = s.slice(0, this.max - this.length);
    this.parts.push(piece);
    this.length += piece.length;
  }
  get text(): string {
    return this.parts.join('');
  }
}
