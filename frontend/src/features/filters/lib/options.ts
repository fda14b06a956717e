import type { BreakdownResponse, SessionListResponse } from '../../../../../contracts/query-api';

export interface SliceOptions {
  tags: Array<{ value: string; count: number }>;
  models: Array<{ value: string; count: number }>;
}

/**
 * Filter choices: models from the model breakdown (by calls), tags from a sample of recent sessions
 * (by frequency), so the lists show what this agent actually has.
 */
export function prepareSliceOptions(
  models: BreakdownResponse | null,
  sample: SessionListResponse | null,
  maxTags = 40,
): SliceOptions {
  const counts = new Map<string, number>();
  for (const s of sample?.sessions ?? []) {
    for (const t of s.tags) if (/^[^:=,]{1,64}[:=][^,]+$/.test(t)) counts.set(t, (counts.get(t) ?? 0) + 1);
  }
  const tags = [...counts]
    .map(([value, count]) => ({ value, count }))
    .sort((a, b) => a.value.localeCompare(b.value))
    .slice(0, maxTags);
  const modelRows = (models?.rows ?? [])
    .filter((r) => r.llm_calls > 0)
    .map((r) => ({ value: r.key, count: r.llm_calls }))
    .sort((a, b) => b.count - a.count);
  return { tags, models: modelRows };
}

/** Tag keys (tier, feature, version) in the options, for A/B comparisons and slicing. */
export function tagKeys(options: SliceOptions): string[] {
  const keys = new Set<string>();
  for (const t of options.tags) keys.add(t.value.split(/[:=]/)[0]!);
  return [...keys].sort();
}

/** Values of one tag key in the options. */
export function tagValues(options: SliceOptions, key: string): string[] {
  return options.tags
    .filter((t) => t.value.startsWith(`${key}:`) || t.value.startsWith(`${key}=`))
    .map((t) => t.value.slice(key.length + 1));
}
