/**
 * Observing a provider call without changing what the caller gets back.
 *
 * Provider SDKs return promise subclasses with extra methods (`withResponse()`, `asResponse()`) and
 * stream objects with their own methods (`tee()`, `controller`). These proxies keep every method (bound to
 * the real object, so private fields work) and only hook the points where a result becomes visible.
 */

/** Calls `onValue` / `onError` at most once, whichever happens first. */
export interface Observer<T> {
  onValue(value: T): T;
  onError(error: unknown): void;
}

/** At most once, and a failing observer never changes what the caller gets (the value, or its error). */
function once<T>(o: Observer<T>): Observer<T> {
  let settled = false;
  let mapped: T;
  return {
    onValue(v) {
      if (!settled) {
        settled = true;
        mapped = safe(() => o.onValue(v)) ?? v;
      }
      return mapped;
    },
    onError(e) {
      if (settled) return;
      settled = true;
      safe(() => o.onError(e));
    },
  };
}

/**
 * A proxy of `p` that reports its outcome when the caller consumes it (`await`, `then`, `catch`,
 * `finally`, `withResponse()`). The value the caller sees is `onValue`'s (the same object for every
 * consumer). Observation is lazy: a result nobody awaits is not recorded, and `asResponse()` (raw HTTP)
 * is passed through untouched because parsing its body would consume it.
 */
export function observePromise<T>(p: PromiseLike<T>, observer: Observer<T>): PromiseLike<T> {
  const o = once(observer);
  let chained: Promise<T> | undefined;
  const result = (): Promise<T> => {
    chained ??= Promise.resolve(
      p.then(
        (v) => o.onValue(v),
        (e) => {
          o.onError(e);
          throw e;
        },
      ),
    );
    return chained;
  };
  return new Proxy(p as PromiseLike<T> & Record<PropertyKey, unknown>, {
    get(target, prop) {
      if (prop === 'then') return (f?: never, r?: never) => result().then(f, r);
      if (prop === 'catch') return (r?: never) => result().catch(r);
      if (prop === 'finally') return (f?: never) => result().finally(f);
      const value = Reflect.get(target, prop, target);
      if (prop === 'withResponse' && typeof value === 'function') {
        return () =>
          Promise.resolve((value as () => PromiseLike<{ data: T }>).call(target)).then(
            (r) => ({ ...r, data: o.onValue(r.data) }),
            (e) => {
              o.onError(e);
              throw e;
            },
          );
      }
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

export interface StreamObserver<C> {
  /** Sees each chunk; returns false to hide it from the caller (a usage chunk the caller did not ask for). */
  onChunk(chunk: C): boolean;
  /** The stream ended (`completed`) or the caller stopped reading early. */
  onEnd(completed: boolean): void;
  onError(error: unknown): void;
}

export const isAsyncIterable = (v: unknown): v is AsyncIterable<unknown> =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as AsyncIterable<unknown>)[Symbol.asyncIterator] === 'function';

/**
 * A proxy of a stream whose async iterator reports chunks, the end and errors. Other methods (`tee()`,
 * `toReadableStream()`, `controller`) reach the real stream and are not observed.
 */
export function observeStream<S extends AsyncIterable<C>, C>(stream: S, observer: StreamObserver<C>): S {
  let finished = false;
  const end = (completed: boolean) => {
    if (finished) return;
    finished = true;
    safe(() => observer.onEnd(completed));
  };
  const fail = (e: unknown) => {
    if (finished) return;
    finished = true;
    safe(() => observer.onError(e));
  };
  return new Proxy(stream as S & Record<PropertyKey, unknown>, {
    get(target, prop) {
      if (prop === Symbol.asyncIterator) {
        return () => {
          const it = target[Symbol.asyncIterator]();
          const wrapped: AsyncIterableIterator<C> = {
            async next(...args: [] | [undefined]) {
              for (;;) {
                let r: IteratorResult<C>;
                try {
                  r = await it.next(...args);
                } catch (e) {
                  fail(e);
                  throw e;
                }
                if (r.done) {
                  end(true);
                  return r;
                }
                if (safe(() => observer.onChunk(r.value)) !== false) return r;
              }
            },
            async return(value?: unknown) {
              end(false);
              return it.return ? it.return(value) : { done: true, value: undefined };
            },
            async throw(e?: unknown) {
              fail(e);
              if (it.throw) return it.throw(e);
              throw e;
            },
            [Symbol.asyncIterator]() {
              return wrapped;
            },
          };
          return wrapped;
        };
      }
      const value = Reflect.get(target, prop, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as S;
}

function safe<R>(fn: () => R): R | undefined {
  try {
    return fn();
  } catch {
    return undefined;
  }
}

/**
 * A proxy of `root` where the method at each path (e.g. chat.completions.create) is replaced by
 * `wrap(original, owner)`. Intermediate objects are proxied lazily and cached so `client.chat` keeps its
 * identity; every other property is the real one (functions bound to their owner).
 */
export type AnyMethod = (...args: unknown[]) => unknown;
export type MethodTree = { [key: string]: MethodTree | ((original: AnyMethod, owner: object) => AnyMethod) };

export function proxyMethods<T extends object>(root: T, tree: MethodTree): T {
  const proxies = new WeakMap<object, object>();
  const bound = new WeakMap<AnyMethod, AnyMethod>();
  const make = (obj: object, node: MethodTree): object => {
    const cached = proxies.get(obj);
    if (cached) return cached;
    const wrappedMethods = new Map<PropertyKey, { original: AnyMethod; wrapped: AnyMethod }>();
    const proxy = new Proxy(obj as Record<PropertyKey, unknown>, {
      get(target, prop) {
        const value = Reflect.get(target, prop, target);
        const branch = typeof prop === 'string' && Object.hasOwn(node, prop) ? node[prop] : undefined;
        if (branch && typeof branch === 'function' && typeof value === 'function') {
          const known = wrappedMethods.get(prop);
          if (known && known.original === value) return known.wrapped;
          const wrapped = branch(value as AnyMethod, target);
          wrappedMethods.set(prop, { original: value as AnyMethod, wrapped });
          return wrapped;
        }
        if (branch && typeof branch === 'object' && typeof value === 'object' && value !== null) {
          return make(value, branch);
        }
        if (typeof value !== 'function') return value;
        const method = value as AnyMethod;
        let b = bound.get(method);
        if (!b) {
          b = method.bind(target);
          bound.set(method, b);
        }
        return b;
      },
    });
    proxies.set(obj, proxy);
    return proxy;
  };
  return make(root, tree) as T;
}
