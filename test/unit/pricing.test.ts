import { describe, expect, it } from 'vitest';
import {
  defaultPriceBook,
  defaultPriceTable,
  normalizeModelName,
  PriceBook,
  type PriceInput,
  type PriceTable,
  validatePriceTable,
} from '../../lambdas/domain/pricing/pricing';

const at = (iso: string): number => Date.parse(iso);
const AT = at('2025-09-01T00:00:00Z');

function usage(inputTokens: number, outputTokens: number, cachedInputTokens = 0, reasoningTokens = 0) {
  return { inputTokens, outputTokens, cachedInputTokens, reasoningTokens };
}

function price(model: string | null, u: PriceInput['usage'], when = AT, provider: string | null = null) {
  return defaultPriceBook.price({ model, provider, at: when, usage: u });
}

describe('exact costs', () => {
  it('prices gpt-4o input and output', () => {
    const r = price('gpt-4o', usage(1_000, 500));
    // 1000 × 2.50 + 500 × 10.00 per million
    expect(r.usd).toBeCloseTo(0.0075, 12);
    expect(r.priceId).toBe('openai/gpt-4o@2024-08-06');
  });

  it('charges cached input (a subset of input) at the cached rate', () => {
    const r = price('gpt-4o', usage(10_000, 0, 4_000));
    // 6000 × 2.50 + 4000 × 1.25
    expect(r.usd).toBeCloseTo(0.02, 12);
  });

  it('charges Anthropic cache reads at the cache-read rate', () => {
    const r = price('claude-sonnet-4-5-20250929', usage(100_000, 2_000, 80_000));
    // 20000 × 3 + 80000 × 0.30 + 2000 × 15
    expect(r.usd).toBeCloseTo(0.114, 12);
    expect(r.priceId).toBe('anthropic/claude-sonnet-4-5@2025-09-29');
  });

  it('charges reasoning tokens (a subset of output) at the output rate by default', () => {
    const r = price('o3', usage(1_000, 5_000, 0, 4_000));
    // 1000 × 2 + 5000 × 8
    expect(r.usd).toBeCloseTo(0.042, 12);
    expect(r.priceId).toBe('openai/o3@2025-06-10');
  });

  it('charges reasoning tokens at a separate reasoning rate when the table has one', () => {
    const preview = price('gemini-2.5-flash', usage(1_000, 3_000, 0, 2_000), at('2025-05-01T00:00:00Z'));
    // 1000 × 0.15 + 1000 × 0.60 + 2000 × 3.50
    expect(preview.usd).toBeCloseTo(0.00775, 12);
    expect(preview.priceId).toBe('google/gemini-2.5-flash@2025-04-17');
    const ga = price('gemini-2.5-flash', usage(1_000, 3_000, 0, 2_000), at('2025-07-01T00:00:00Z'));
    // 1000 × 0.30 + 3000 × 2.50 (reasoning at the output rate)
    expect(ga.usd).toBeCloseTo(0.0078, 12);
  });

  it('combines cached and reasoning tokens', () => {
    const r = price('o4-mini', usage(2_000_000, 1_000_000, 1_000_000, 600_000));
    // 1M × 1.10 + 1M × 0.275 + 0.4M × 4.40 + 0.6M × 4.40
    expect(r.usd).toBeCloseTo(1.1 + 0.275 + 4.4, 10);
  });

  it('prices embeddings on input only', () => {
    expect(price('text-embedding-3-small', usage(1_000_000, 0)).usd).toBeCloseTo(0.02, 12);
    expect(price('text-embedding-3-large', usage(500_000, 0)).usd).toBeCloseTo(0.065, 12);
  });

  it('prices DeepSeek cache hits and Nova on Bedrock', () => {
    // 0.28 miss, 0.028 hit, 0.42 output since 2025-09-29
    const ds = price('deepseek-chat', usage(1_000_000, 1_000_000, 500_000), at('2025-10-15T00:00:00Z'));
    expect(ds.usd).toBeCloseTo(0.5 * 0.28 + 0.5 * 0.028 + 0.42, 12);
    const nova = price('amazon.nova-pro-v1:0', usage(1_000_000, 1_000_000));
    expect(nova.usd).toBeCloseTo(0.8 + 3.2, 12);
    expect(nova.priceId).toBe('amazon/nova-pro@2024-12-03');
  });

  it('returns $0 (priced) for a known model with zero tokens', () => {
    expect(price('gpt-4o', usage(0, 0))).toEqual({ usd: 0, priceId: 'openai/gpt-4o@2024-08-06' });
  });

  it('treats negative or non-finite token counts as zero', () => {
    expect(price('gpt-4o', usage(-5, Number.NaN)).usd).toBe(0);
  });
});

describe('model name normalisation', () => {
  it.each([
    ['GPT-4o', 'gpt-4o'],
    ['openai/gpt-4o', 'gpt-4o'],
    ['openai:gpt-4.1-mini', 'gpt-4.1-mini'],
    ['models/gemini-1.5-pro-002', 'gemini-1.5-pro-002'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'claude-3-5-sonnet-20240620'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'claude-sonnet-4-20250514'],
    ['meta.llama3-1-70b-instruct-v1:0', 'llama3-1-70b-instruct'],
    ['deepseek.r1-v1:0', 'deepseek-r1'],
    ['claude-3-5-sonnet-v2@20241022', 'claude-3-5-sonnet-v2'],
    ['claude-3-5-sonnet-latest', 'claude-3-5-sonnet'],
    ['llama3:latest', 'llama3'],
    ['arn:aws:bedrock:us-east-1::foundation-model/meta.llama3-70b-instruct-v1:0', 'llama3-70b-instruct'],
  ])('%s → %s', (raw, expected) => {
    expect(normalizeModelName(raw)).toBe(expected);
  });

  it.each([
    ['gpt-4o-2024-08-06', 'openai/gpt-4o@2024-08-06'],
    ['gpt-4o-mini-2024-07-18', 'openai/gpt-4o-mini@2024-07-18'],
    ['claude-3-5-sonnet-20241022', 'anthropic/claude-3-5-sonnet@2024-06-20'],
    ['Claude-3-5-Sonnet-Latest', 'anthropic/claude-3-5-sonnet@2024-06-20'],
    ['claude-3-5-sonnet-v2@20241022', 'anthropic/claude-3-5-sonnet@2024-06-20'],
    ['anthropic.claude-3-5-sonnet-20240620-v1:0', 'anthropic/claude-3-5-sonnet@2024-06-20'],
    ['us.anthropic.claude-sonnet-4-20250514-v1:0', 'anthropic/claude-sonnet-4@2025-05-22'],
    ['global.anthropic.claude-haiku-4-5-20251001-v1:0', 'anthropic/claude-haiku-4-5@2025-10-15'],
    ['claude-opus-4-0', 'anthropic/claude-opus-4@2025-05-22'],
    ['claude-opus-4-1-20250805', 'anthropic/claude-opus-4-1@2025-08-05'],
    ['meta.llama3-1-70b-instruct-v1:0', 'meta/llama3-1-70b-instruct@2024-07-23'],
    ['us.meta.llama3-3-70b-instruct-v1:0', 'meta/llama3-3-70b-instruct@2024-12-06'],
    ['meta-llama/Llama-4-Scout-17B-16E-Instruct', 'meta/llama4-scout-17b-instruct@2025-04-28'],
    ['deepseek.r1-v1:0', 'deepseek/deepseek-reasoner@2025-01-20'],
    ['models/gemini-1.5-pro-002', 'google/gemini-1.5-pro@2024-10-01'],
    ['openai/gpt-4.1-mini', 'openai/gpt-4.1-mini@2025-04-14'],
    ['mistral-large-2411', 'mistral/mistral-large-2@2024-09-17'],
    ['mistral-small-2503', 'mistral/mistral-small@2025-01-30'],
    ['gpt-4-1106-preview', 'openai/gpt-4-turbo@2023-11-06'],
  ])('%s is priced as %s', (model, priceId) => {
    expect(price(model, usage(1, 1)).priceId).toBe(priceId);
  });

  it('prices a dated snapshot with its own entry when the table has one', () => {
    expect(price('gpt-4o-2024-05-13', usage(1_000_000, 0)).usd).toBeCloseTo(5, 12);
    expect(price('gpt-4o-2024-11-20', usage(1_000_000, 0)).usd).toBeCloseTo(2.5, 12);
  });
});

describe('longest prefix match', () => {
  it.each([
    ['gpt-4o-mini-2024-07-18', 'openai/gpt-4o-mini@2024-07-18'],
    ['gpt-4o-mini-search-preview', 'openai/gpt-4o-mini@2024-07-18'],
    ['gpt-4o-audio-preview', 'openai/gpt-4o@2024-08-06'],
    ['o3-mini-high', 'openai/o3-mini@2025-01-31'],
    ['o3-pro-2025-06-10', 'openai/o3-pro@2025-06-10'],
    ['gpt-5-chat-latest', 'openai/gpt-5@2025-08-07'],
    ['gemini-2.5-flash-lite-preview-06-17', 'google/gemini-2.5-flash-lite@2025-06-17'],
    ['gemini-2.5-flash-preview-05-20', 'google/gemini-2.5-flash@2025-06-17'],
    ['gemini-2.5-pro-preview-03-25', 'google/gemini-2.5-pro@2025-03-25'],
    ['claude-sonnet-4-5-thinking', 'anthropic/claude-sonnet-4-5@2025-09-29'],
  ])('%s → %s', (model, priceId) => {
    expect(price(model, usage(1, 1)).priceId).toBe(priceId);
  });

  it('does not stretch a model to a newer version number', () => {
    // "claude-opus-4" is $15/$75; a future "claude-opus-4-8" must be unpriced, not priced as Opus 4.
    expect(price('claude-opus-4-8', usage(1_000, 1_000)).usd).toBeNull();
    expect(price('gpt-5.9', usage(1_000, 1_000)).usd).toBeNull();
    expect(price('mistral-medium-3.5', usage(1_000, 1_000)).usd).toBeNull();
  });
});

describe('effective dates', () => {
  it('uses the old price for an event before a price change', () => {
    const before = price('o3', usage(1_000_000, 1_000_000), at('2025-05-01T00:00:00Z'));
    expect(before.usd).toBeCloseTo(10 + 40, 10);
    expect(before.priceId).toBe('openai/o3@2025-04-16');
    const after = price('o3', usage(1_000_000, 1_000_000), at('2025-06-10T00:00:00Z'));
    expect(after.usd).toBeCloseTo(2 + 8, 10);
    expect(after.priceId).toBe('openai/o3@2025-06-10');
  });

  it('switches at the exact instant for date-time effective dates', () => {
    const u = usage(1_000_000, 0);
    expect(price('deepseek-chat', u, at('2025-09-05T15:59:59Z')).usd).toBeCloseTo(0.27, 12);
    expect(price('deepseek-chat', u, at('2025-09-05T16:00:00Z')).usd).toBeCloseTo(0.56, 12);
    expect(price('deepseek-chat', u, at('2025-09-29T00:00:00Z')).usd).toBeCloseTo(0.28, 12);
  });

  it('prices gpt-4o at launch price before the August 2024 cut', () => {
    const r = price('gpt-4o', usage(1_000_000, 1_000_000), at('2024-06-01T00:00:00Z'));
    expect(r.usd).toBeCloseTo(5 + 15, 10);
    expect(r.priceId).toBe('openai/gpt-4o@2024-05-13');
  });

  it('uses the earliest price for an event before the first entry', () => {
    const r = price('gpt-4.1', usage(1_000_000, 0), at('2020-01-01T00:00:00Z'));
    expect(r.priceId).toBe('openai/gpt-4.1@2025-04-14');
    expect(r.usd).toBeCloseTo(2, 12);
  });
});

describe('unknown models', () => {
  it.each([
    'my-custom-finetune',
    'ft:gpt-4o-mini-2024-07-18:acme::abc123',
    'acme-gpt-9',
    'amazon.titan-embed-text-v2:0',
    '',
  ])('%s is unpriced, never $0', (model) => {
    expect(price(model, usage(1_000, 1_000))).toEqual({ usd: null, priceId: null });
  });

  it('is unpriced without a model', () => {
    expect(price(null, usage(1_000, 1_000), AT, 'openai')).toEqual({ usd: null, priceId: null });
    expect(defaultPriceBook.resolve(null, 'openai', AT)).toBeNull();
  });
});

describe('overrides', () => {
  const book = defaultPriceBook.withOverrides([{ model: 'gpt-4o', inputPerMTok: 1, outputPerMTok: 2 }]);

  it('take precedence over the table', () => {
    const r = book.price({ model: 'gpt-4o', provider: 'openai', at: AT, usage: usage(1_000_000, 1_000_000) });
    expect(r).toEqual({ usd: 3, priceId: 'override/gpt-4o' });
  });

  it('apply to dated and prefixed spellings of the model', () => {
    expect(
      book.price({ model: 'openai/gpt-4o-2024-08-06', provider: null, at: AT, usage: usage(1e6, 0) }).usd,
    ).toBe(1);
  });

  it('default the cached rate to the input rate and the reasoning rate to the output rate', () => {
    const r = book.price({ model: 'gpt-4o', provider: null, at: AT, usage: usage(1e6, 1e6, 5e5, 5e5) });
    expect(r.usd).toBeCloseTo(3, 12);
  });

  it('do not capture a more specific table model', () => {
    const r = book.price({ model: 'gpt-4o-mini', provider: null, at: AT, usage: usage(1e6, 0) });
    expect(r.priceId).toBe('openai/gpt-4o-mini@2024-07-18');
    expect(r.usd).toBeCloseTo(0.15, 12);
  });

  it('leave the book they were derived from unchanged', () => {
    expect(price('gpt-4o', usage(1e6, 0)).priceId).toBe('openai/gpt-4o@2024-08-06');
  });

  it('can price a model the table does not know, with cached and reasoning rates', () => {
    const custom = new PriceBook(undefined, [
      { model: 'acme-llm', inputPerMTok: 4, outputPerMTok: 8, cachedInputPerMTok: 1, reasoningPerMTok: 16 },
    ]);
    const r = custom.price({
      model: 'acme-llm-v2',
      provider: null,
      at: AT,
      usage: usage(1e6, 1e6, 5e5, 5e5),
    });
    // 0.5M × 4 + 0.5M × 1 + 0.5M × 8 + 0.5M × 16
    expect(r).toEqual({ usd: 14.5, priceId: 'override/acme-llm' });
  });

  it('scoped to a provider apply only to that provider', () => {
    const azure = defaultPriceBook.withOverrides([
      { provider: 'Azure', model: 'gpt-4o', inputPerMTok: 3, outputPerMTok: 12 },
    ]);
    const u = usage(1e6, 0);
    expect(azure.price({ model: 'gpt-4o', provider: 'azure', at: AT, usage: u }).usd).toBe(3);
    expect(azure.price({ model: 'gpt-4o', provider: 'openai', at: AT, usage: u }).usd).toBeCloseTo(2.5, 12);
    expect(azure.price({ model: 'gpt-4o', provider: null, at: AT, usage: u }).usd).toBeCloseTo(2.5, 12);
  });

  it('ignore invalid entries', () => {
    const bad = defaultPriceBook.withOverrides([
      { model: 'gpt-4o', inputPerMTok: -1, outputPerMTok: 2 },
      { model: 'gpt-4o', inputPerMTok: Number.NaN, outputPerMTok: 2 },
    ]);
    expect(bad.price({ model: 'gpt-4o', provider: null, at: AT, usage: usage(1e6, 0) }).usd).toBeCloseTo(
      2.5,
      12,
    );
  });
});

describe('resolve and listModels', () => {
  it('resolve fills in default cached and reasoning rates', () => {
    const r = defaultPriceBook.resolve('claude-3-5-haiku-20241022', 'anthropic', AT);
    expect(r).toMatchObject({
      priceId: 'anthropic/claude-3-5-haiku@2024-12-02',
      provider: 'anthropic',
      model: 'claude-3-5-haiku',
      inputPerMTok: 0.8,
      cachedInputPerMTok: 0.08,
      outputPerMTok: 4,
      reasoningPerMTok: 4,
      override: false,
    });
    expect(defaultPriceBook.resolve('gpt-4o', null, at('2024-06-01T00:00:00Z'))?.cachedInputPerMTok).toBe(5);
  });

  it('lists the prices in force at a time', () => {
    const mid2024 = defaultPriceBook.listModels(at('2024-06-01T00:00:00Z'));
    expect(mid2024.find((m) => m.model === 'gpt-4o')).toEqual({
      provider: 'openai',
      model: 'gpt-4o',
      inputPerMTok: 5,
      outputPerMTok: 15,
      cachedInputPerMTok: null,
      reasoningPerMTok: null,
    });
    expect(mid2024.some((m) => m.model === 'o3')).toBe(false);
    const now = defaultPriceBook.listModels(AT);
    expect(now.find((m) => m.model === 'o3')?.inputPerMTok).toBe(2);
    expect(now.length).toBeGreaterThan(50);
    const sorted = [...now].sort(
      (a, b) => a.provider.localeCompare(b.provider) || a.model.localeCompare(b.model),
    );
    expect(now).toEqual(sorted);
  });

  it('lists overrides in place of the table row they replace', () => {
    const rows = defaultPriceBook
      .withOverrides([
        { model: 'gpt-4o', inputPerMTok: 1, outputPerMTok: 2 },
        { model: 'acme-llm', inputPerMTok: 4, outputPerMTok: 8 },
      ])
      .listModels(AT);
    expect(rows.filter((r) => r.model === 'gpt-4o')).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o',
        inputPerMTok: 1,
        outputPerMTok: 2,
        cachedInputPerMTok: null,
        reasoningPerMTok: null,
      },
    ]);
    expect(rows.find((r) => r.model === 'acme-llm')?.provider).toBe('override');
  });
});

describe('price table', () => {
  const table: PriceTable = defaultPriceTable;

  it('is valid', () => {
    expect(validatePriceTable(table)).toEqual([]);
    expect(table.version).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('has non-negative numbers, sorted effectiveFrom dates and a source on every entry', () => {
    for (const m of table.models) {
      expect(m.prices.length, `${m.provider}/${m.model}`).toBeGreaterThan(0);
      let previous = Number.NEGATIVE_INFINITY;
      for (const p of m.prices) {
        const id = `${m.provider}/${m.model}@${p.effectiveFrom}`;
        for (const v of [p.inputPerMTok, p.outputPerMTok]) {
          expect(Number.isFinite(v) && v >= 0, id).toBe(true);
        }
        for (const v of [p.cachedInputPerMTok, p.reasoningPerMTok]) {
          expect(v === null || (Number.isFinite(v) && v >= 0), id).toBe(true);
        }
        const from = Date.parse(p.effectiveFrom);
        expect(Number.isFinite(from), id).toBe(true);
        expect(from, id).toBeGreaterThan(previous);
        previous = from;
        expect(p.source, id).toMatch(/^https:\/\/\S+( \(unverified\))?$/);
      }
    }
  });

  it('has unique normalised names and aliases', () => {
    const seen = new Map<string, string>();
    for (const m of table.models) {
      for (const name of [m.model, ...(m.aliases ?? [])]) {
        const key = normalizeModelName(name);
        expect(seen.get(key), `${name} (${key})`).toBeUndefined();
        seen.set(key, m.model);
      }
      // Canonical names are already normalised.
      expect(normalizeModelName(m.model)).toBe(m.model);
    }
  });

  it('covers the major providers', () => {
    const providers = new Set(table.models.map((m) => m.provider));
    for (const p of ['openai', 'anthropic', 'google', 'mistral', 'meta', 'amazon', 'deepseek']) {
      expect(providers.has(p), p).toBe(true);
    }
  });

  it('reports problems in a broken table', () => {
    const broken: PriceTable = {
      version: 'x',
      models: [
        {
          provider: 'p',
          model: 'a',
          aliases: ['A'],
          prices: [
            {
              effectiveFrom: '2025-02-01',
              inputPerMTok: 1,
              cachedInputPerMTok: null,
              outputPerMTok: 1,
              reasoningPerMTok: null,
              source: 's',
            },
            {
              effectiveFrom: '2025-01-01',
              inputPerMTok: -1,
              cachedInputPerMTok: null,
              outputPerMTok: 1,
              reasoningPerMTok: null,
              source: 's',
            },
          ],
        },
      ],
    };
    const problems = validatePriceTable(broken);
    expect(problems.some((p) => p.includes('not sorted'))).toBe(true);
    expect(problems.some((p) => p.includes('inputPerMTok'))).toBe(true);
    expect(problems.some((p) => p.includes('already used'))).toBe(true);
    expect(() => new PriceBook(broken)).toThrow(/invalid price table/);
  });
});

describe('performance', () => {
  it('prices 100k events quickly with cached lookups', () => {
    const models = [
      'gpt-4o-2024-08-06',
      'anthropic.claude-3-5-sonnet-20240620-v1:0',
      'gemini-2.5-flash',
      'unknown-x',
    ];
    const u = usage(1_000, 200, 100, 50);
    const start = performance.now();
    let total = 0;
    for (let i = 0; i < 100_000; i++) {
      total += price(models[i % models.length]!, u, AT + i).usd ?? 0;
    }
    const elapsed = performance.now() - start;
    expect(total).toBeGreaterThan(0);
    expect(elapsed).toBeLessThan(2_000);
  });
});
