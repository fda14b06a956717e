import * as z from 'zod';
import { isoTime } from './common';

/** The seed's production metrics API: `GET|POST /api/agents/{agent_id}/production/metrics`. */

export const METRIC_GROUPS = ['sessions', 'cost', 'duration', 'errors', 'tokens'] as const;
export type MetricGroup = (typeof METRIC_GROUPS)[number];

const dateOrTime = z.union(
  [z.string().regex(/^\d{4}-\d{2}-\d{2}$/, { error: 'must be YYYY-MM-DD' }), isoTime],
  {
    error: 'must be a date (YYYY-MM-DD) or an ISO-8601 timestamp',
  },
);

export const metricsQuery = z.strictObject({
  start_date: dateOrTime.optional(),
  end_date: dateOrTime.optional(),
  metrics: z
    .union([z.string(), z.array(z.string())])
    .optional()
    .transform((v, ctx) => {
      const list = (Array.isArray(v) ? v : (v ?? '').split(',')).map((s) => s.trim()).filter(Boolean);
      const bad = list.find((m) => !(METRIC_GROUPS as readonly string[]).includes(m));
      if (bad) {
        ctx.addIssue({ code: 'custom', message: `unknown metric "${bad}"; use ${METRIC_GROUPS.join(', ')}` });
        return z.NEVER;
      }
      return (list.length ? list : [...METRIC_GROUPS]) as MetricGroup[];
    }),
  production: z
    .union([z.enum(['true', 'false', 'all']), z.boolean()], { error: 'must be true, false or all' })
    .optional(),
});
export type MetricsQuery = z.output<typeof metricsQuery>;

export const metricsResponse = z.object({
  agent_id: z.string(),
  start_date: z.string(),
  end_date: z.string(),
  production: z.union([z.boolean(), z.literal('all')]),
  sessions: z
    .object({ count: z.number(), finished: z.number(), success_rate: z.number().nullable() })
    .optional(),
  cost: z
    .object({
      total_usd: z.number(),
      avg_usd: z.number().nullable(),
      p50_usd: z.number().nullable(),
      p90_usd: z.number().nullable(),
      p99_usd: z.number().nullable(),
      unpriced_events: z.number(),
    })
    .optional(),
  duration: z
    .object({
      avg_ms: z.number().nullable(),
      p50_ms: z.number().nullable(),
      p95_ms: z.number().nullable(),
      p99_ms: z.number().nullable(),
    })
    .optional(),
  tokens: z
    .object({
      input: z.number(),
      output: z.number(),
      cached_input: z.number(),
      reasoning: z.number(),
      total: z.number(),
    })
    .optional(),
  errors: z
    .object({
      count: z.number(),
      rate: z.number().nullable(),
      sessions_with_errors: z.number(),
      by_type: z.record(z.string(), z.number()),
    })
    .optional(),
});
export type MetricsResponse = z.infer<typeof metricsResponse>;
