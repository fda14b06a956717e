/**
 * JSON snapshots of host values. Recording must never throw and must freeze the value at record time
 * (the host may mutate its objects afterwards), so values are serialised once, defensively.
 */

/** Serialises anything: circular references, BigInt, Errors, Maps, Sets and throwing toJSON/getters. */
export function safeJson(value: unknown): string | undefined {
  try {
    return JSON.stringify(value, replacer());
  } catch {
    // one bad leaf (a throwing toJSON or getter) must not lose the rest: rebuild node by node
    try {
      return JSON.stringify(sanitize(value, new Set(), 0));
    } catch {
      return JSON.stringify('[unserialisable]');
    }
  }
}

function replacer() {
  const ancestors: unknown[] = [];
  return function (this: unknown, _key: string, v: unknown): unknown {
    const plain = leaf(v);
    if (plain !== NOT_LEAF) return plain;
    // `this` is the object holding v: unwind the ancestor stack to it, then v is circular iff still on it
    while (ancestors.length > 0 && ancestors[ancestors.length - 1] !== this) ancestors.pop();
    if (ancestors.includes(v)) return '[Circular]';
    ancestors.push(v);
    return v;
  };
}

const NOT_LEAF = Symbol('not a leaf');

function leaf(v: unknown): unknown {
  if (typeof v === 'bigint') return v.toString();
  if (typeof v === 'number' && !Number.isFinite(v)) return String(v);
  if (v instanceof Error) return { name: v.name, message: v.message };
  if (v instanceof Map) return Object.fromEntries(v);
  if (v instanceof Set) return [...v];
  if (typeof v !== 'object' || v === null) return v;
  return NOT_LEAF;
}

const MAX_DEPTH = 64;

function sanitize(v: unknown, path: Set<unknown>, depth: number): unknown {
  let value = v;
  try {
    const toJSON = (value as { toJSON?: unknown } | null)?.toJSON;
    if (typeof toJSON === 'function') value = toJSON.call(value);
  } catch {
    return '[unserialisable]';
  }
  const plain = leaf(value);
  if (plain !== NOT_LEAF) return plain === value ? plain : sanitize(plain, path, depth);
  if (path.has(value)) return '[Circular]';
  if (depth >= MAX_DEPTH) return '[too deep]';
  path.add(value);
  try {
    if (Array.isArray(value)) return value.map((item) => sanitize(item, path, depth + 1));
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value as object)) {
      try {
        out[key] = sanitize((value as Record<string, unknown>)[key], path, depth + 1);
      } catch {
        out[key] = '[unserialisable]';
      }
    }
    return out;
  } finally {
    path.delete(value);
  }
}

/**
 * A JSON-safe copy of `value`, or a preview when its JSON is longer than `maxChars` (the server would
 * otherwise store a huge payload or refuse the whole batch as too large).
 */
export function snapshot(value: unknown, maxChars: number): unknown {
  if (value === undefined) return undefined;
  const json = safeJson(value);
  if (json === undefined) return undefined;
  if (json.length <= maxChars) return JSON.parse(json);
  return { truncated: true, original_chars: json.length, preview: json.slice(0, Math.min(maxChars, 4096)) };
}

export const truncate = (s: string, max: number): string => (s.length <= max ? s : s.slice(0, max));
