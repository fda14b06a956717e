import type { SessionDetailResponse } from '../../../../../contracts/query-api';
import { formatCount, formatMs, formatNumber, formatTime, formatUsd } from '../../../lib/format';

export interface Fact {
  label: string;
  value: string;
  detail?: string;
}

/** The deep dive's header figures. */
export function prepareSessionFacts(d: SessionDetailResponse): Fact[] {
  const s = d.session;
  const facts: Fact[] = [
    {
      label: 'Started',
      value: formatTime(s.started_at),
      detail: s.ended_at ? `ended ${formatTime(s.ended_at)}` : 'still running',
    },
    { label: 'Duration', value: formatMs(s.duration_ms) },
    {
      label: 'Cost',
      value: formatUsd(s.cost_usd),
      detail: s.unpriced_events > 0 ? `${s.unpriced_events} unpriced calls not included` : undefined,
    },
    {
      label: 'Tokens',
      value: formatCount(s.tokens),
      detail: `${formatCount(s.input_tokens)} in · ${formatCount(s.output_tokens)} out${s.cached_input_tokens ? ` · ${formatCount(s.cached_input_tokens)} cached` : ''}${s.reasoning_tokens ? ` · ${formatCount(s.reasoning_tokens)} reasoning` : ''}`,
    },
    { label: 'LLM calls', value: formatCount(s.llm_calls), detail: `${formatCount(s.events)} events` },
    { label: 'Errors', value: formatCount(s.errors) },
  ];
  if (s.session_eval !== null) {
    facts.push({
      label: 'Eval',
      value: formatNumber(s.session_eval, 2),
      detail: s.session_eval_reason ?? undefined,
    });
  }
  if (s.sample_rate < 1)
    facts.push({ label: 'Sampled', value: `1 in ${formatNumber(1 / s.sample_rate, 1)}` });
  return facts;
}

export type Outcome = 'success' | 'failure' | 'unknown';

export function outcomeOf(d: SessionDetailResponse): Outcome {
  return d.session.is_successful === null ? 'unknown' : d.session.is_successful ? 'success' : 'failure';
}
