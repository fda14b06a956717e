/**
 * Session sampling with always-keep rules, and the weights that keep aggregates unbiased.
 *
 * Each session draws once, at start: it is "sampled in" with probability r (the sample rate). A session
 * that satisfies an always-keep rule (an error, cost above the threshold, `keepIf`) is kept whatever the
 * draw. So the probability that a session reaches the server is
 *
 *     P(kept) = 1 if it satisfies a rule, else r
 *
 * and the Horvitz–Thompson estimator weights each kept session by 1 / P(kept): the server is told
 * sample_rate = 1 for rule-kept sessions and sample_rate = r for the others. Every total (sessions,
 * tokens, cost, errors) is then unbiased: E[weight · kept] = 1 for every session. Weighting a rule-kept
 * session by 1/r instead would count each errored session 1/r times when it was drawn and once when it
 * was not — an expected (2 − r) times — and inflate error counts.
 *
 * The server folds an event with the weight its session has when the event arrives, so a session's
 * sample_rate must be final before its first event is sent. Hence: sampled sessions (r < 1) hold their
 * events in memory until the decision is certain — the moment a rule fires (rules only ever become true:
 * errors and cost only grow) or the session ends.
 */

/** What a session has recorded so far; the input to the always-keep rules. */
export interface SessionSummary {
  events: number;
  llmCalls: number;
  errors: number;
  /** Cost the SDK knows of: `costUsd` passed by the host, else estimated from `prices`. */
  costUsd: number;
  /** LLM calls whose cost the SDK could not tell (no costUsd, no price). */
  unpricedLlmCalls: number;
  inputTokens: number;
  outputTokens: number;
  /** The `success` given to `end()`, or null. */
  success: boolean | null;
}

export const emptySummary = (): SessionSummary => ({
  events: 0,
  llmCalls: 0,
  errors: 0,
  costUsd: 0,
  unpricedLlmCalls: 0,
  inputTokens: 0,
  outputTokens: 0,
  success: null,
});

export interface KeepRules {
  keepCostAboveUsd?: number | undefined;
  keepIf?: ((summary: SessionSummary) => boolean) | undefined;
}

/**
 * Rules that, once true, stay true (errors and cost never decrease): safe to act on before the end.
 */
export const mustKeepNow = (rules: KeepRules, s: SessionSummary): boolean =>
  s.errors > 0 || (rules.keepCostAboveUsd !== undefined && s.costUsd > rules.keepCostAboveUsd);

export type SamplingDecision = { send: true; sampleRate: number; byRule: boolean } | { send: false };

/** The final decision for a sampled session, at its end. `keepIf` errors count as "no". */
export function decideAtEnd(
  rules: KeepRules,
  rate: number,
  sampledIn: boolean,
  s: SessionSummary,
  onRuleError: (e: unknown) => void,
): SamplingDecision {
  let byRule = mustKeepNow(rules, s);
  if (!byRule && rules.keepIf) {
    try {
      byRule = rules.keepIf(s) === true;
    } catch (e) {
      onRuleError(e);
    }
  }
  if (byRule) return { send: true, sampleRate: 1, byRule: true };
  if (sampledIn) return { send: true, sampleRate: rate, byRule: false };
  return { send: false };
}
