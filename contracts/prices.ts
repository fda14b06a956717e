import * as z from 'zod';

const rate = z
  .number({ error: 'must be a number (USD per million tokens)' })
  .min(0, { error: 'must not be negative' })
  .max(10_000);

/** `PUT /api/admin/agents/{agent_id}/prices`: the agent's price overrides (replaces the list). */
export const priceOverridesBody = z.strictObject({
  overrides: z
    .array(
      z.strictObject({
        provider: z.string().min(1).max(128).optional(),
        model: z.string().min(1).max(256),
        input_per_mtok: rate,
        output_per_mtok: rate,
        cached_input_per_mtok: rate.nullish(),
        reasoning_per_mtok: rate.nullish(),
      }),
    )
    .max(500),
});
export type PriceOverridesBody = z.infer<typeof priceOverridesBody>;
