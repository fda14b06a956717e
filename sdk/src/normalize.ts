import { truncate } from './json.js';
import { WIRE_LIMITS, type WireError, type WireUsage } from './wire.js';

/** Token counts as the host reports them (camelCase); every field optional. */
export interface TokenUsage {
  inputTokens?: number;
  outputTokens?: number;
  /** Input tokens served from the provider's prompt cache; a subset of inputTokens. */
  cachedInputTokens?: number;
  /** Output tokens spent on reasoning; a subset of outputTokens. */
  reasoningTokens?: number;
}

const MAX_ERROR_TEXT = 16_384;

const count = (v: unknown): number | undefined =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0
    ? Math.min(Math.round(v), WIRE_LIMITS.maxTokens)
    : undefined;

/** Usage the server will accept: integers in range, cached ≤ input, reasoning ≤ output. */
export function wireUsage(u: TokenUsage | null | undefined): WireUsage | null {
  if (!u || typeof u !== 'object') return null;
  const input = count(u.inputTokens);
  const output = count(u.outputTokens);
  const cached = count(u.cachedInputTokens);
  const reasoning = count(u.reasoningTokens);
  if (input === undefined && output === undefined) return null;
  const out: WireUsage = {};
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  if (cached !== undefined && cached > 0) out.cached_input_tokens = Math.min(cached, input ?? 0);
  if (reasoning !== undefined && reasoning > 0) out.reasoning_tokens = Math.min(reasoning, output ?? 0);
  return out;
}

export const durationMs = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v)
    ? Math.min(Math.max(0, Math.round(v * 1000) / 1000), WIRE_LIMITS.maxDurationMs)
    : null;

export const costUsd = (v: unknown): number | null =>
  typeof v === 'number' && Number.isFinite(v) && v >= 0 && v <= WIRE_LIMITS.maxCostUsd ? v : null;

export function tags(v: unknown): string[] | undefined {
  if (!Array.isArray(v)) return undefined;
  return v
    .filter((t): t is string => typeof t === 'string')
    .slice(0, WIRE_LIMITS.maxTags)
    .map((t) => truncate(t, WIRE_LIMITS.maxTagLength));
}

export const name = (v: unknown): string | null =>
  typeof v === 'string' && v.length > 0 ? truncate(v, WIRE_LIMITS.maxNameLength) : null;

export const id = (v: unknown): string | null =>
  typeof v === 'string' && v.length > 0 && v.length <= WIRE_LIMITS.maxIdLength ? v : null;

export function isoTime(v: Date | number | string | undefined, fallback: number): string {
  const ms = v instanceof Date ? v.getTime() : typeof v === 'number' ? v : v ? Date.parse(v) : Number.NaN;
  return new Date(Number.isFinite(ms) ? ms : fallback).toISOString();
}

const GENERIC_NAMES = new Set(['Error', 'Object', '']);

/**
 * What the server needs to classify a failure: message, a type (the error class, else a code such as
 * ECONNRESET), the stack and an HTTP status when the error carries one (provider SDK errors do).
 */
export function describeError(err: unknown): WireError {
  if (err === null || err === undefined) return { message: String(err) };
  if (typeof err !== 'object') return { message: truncate(String(err), MAX_ERROR_TEXT) };
  const e = err as Record<string, unknown> & { constructor?: { name?: unknown } };
  const message = typeof e.message === 'string' ? e.message : safeString(err);
  const ownName = typeof e.name === 'string' ? e.name : '';
  const className = typeof e.constructor?.name === 'string' ? e.constructor.name : '';
  const code = typeof e.code === 'string' ? e.code : null;
  const type = !GENERIC_NAMES.has(ownName)
    ? ownName
    : !GENERIC_NAMES.has(className)
      ? className
      : (code ?? (ownName || null));
  const response = e.response as { status?: unknown } | undefined;
  const status = [e.status, e.statusCode, response?.status].find(
    (s): s is number => typeof s === 'number' && Number.isInteger(s) && s >= 100 && s <= 999,
  );
  const out: WireError = {
    message: truncate(message, MAX_ERROR_TEXT),
    type: type ? truncate(type, 256) : null,
  };
  if (typeof e.stack === 'string') out.stack = truncate(e.stack, MAX_ERROR_TEXT);
  if (status !== undefined) out.status_code = status;
  return out;
}

function safeString(v: unknown): string {
  try {
    return String(v);
  } catch {
    return '[unprintable error]';
  }
}
