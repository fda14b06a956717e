import type { TokenUsage } from './normalize.js';

/** USD per million tokens. Cached and reasoning rates default to the input and output rates. */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok?: number;
  reasoningPerMTok?: number;
}

/**
 * The client's own cost estimate, used only to decide whether a sampled session crossed the
 * always-keep cost threshold. The server prices every event from its own versioned table; this estimate
 * is never sent unless the host passed the cost itself.
 */
export function estimateCostUsd(
  prices: Record<string, ModelPrice>,
  model: string | null | undefined,
  usage: TokenUsage | null | undefined,
): number | null {
  if (!model || !usage) return null;
  const price = lookup(prices, model.toLowerCase());
  if (!price) return null;
  const input = usage.inputTokens ?? 0;
  const output = usage.outputTokens ?? 0;
  const cached = Math.min(usage.cachedInputTokens ?? 0, input);
  const reasoning = Math.min(usage.reasoningTokens ?? 0, output);
  const usd =
    (input - cached) * price.inputPerMTok +
    cached * (price.cachedInputPerMTok ?? price.inputPerMTok) +
    (output - reasoning) * price.outputPerMTok +
    reasoning * (price.reasoningPerMTok ?? price.outputPerMTok);
  return Number.isFinite(usd) ? usd / 1_000_000 : null;
}

/** Exact name, else the longest key that prefixes the model ("gpt-4o" prices "gpt-4o-2024-08-06"). */
function lookup(prices: Record<string, ModelPrice>, model: string): ModelPrice | undefined {
  let best: { key: string; price: ModelPrice } | undefined;
  for (const [key, price] of Object.entries(prices)) {
    const k = key.toLowerCase();
    if (k === model) return price;
    if (model.startsWith(k) && (!best || k.length > best.key.length)) best = { key: k, price };
  }
  return best?.price;
}
