/**
 * Server-side LLM cost: a versioned price table (price-table.json) plus per-agent overrides.
 *
 * Rules (USD per million tokens):
 * - cachedInputTokens are a subset of inputTokens: (input - cached) at the input rate, cached at the
 *   cached-input rate (the input rate when the table has none).
 * - reasoningTokens are a subset of outputTokens: (output - reasoning) at the output rate, reasoning at
 *   the reasoning rate (the output rate when the table has none).
 * - An event is priced with the price in force at its timestamp; before a model's first price, the
 *   earliest price is used.
 * - An unknown model is unpriced ({ usd: null }), never $0 and never a guess from other models.
 *
 * Known simplifications: long-context tiers (e.g. >200k-token prompts), cache-write surcharges, batch /
 * priority / off-peak discounts, and audio/image token rates are not modelled.
 *
 * Pure: no environment, no I/O beyond the bundled JSON. Name lookups are cached, since this runs per event.
 */
import rawTable from './price-table.json';

export interface PriceEntry {
  /** ISO date ("2024-08-06") or date-time ("2025-09-05T16:00:00Z", UTC when no zone is given). */
  effectiveFrom: string;
  inputPerMTok: number;
  /** null = billed at the input rate. */
  cachedInputPerMTok: number | null;
  outputPerMTok: number;
  /** null = billed at the output rate. */
  reasoningPerMTok: number | null;
  /** Where the number comes from; ends with " (unverified)" when it could not be confirmed. */
  source: string;
}

export interface PriceTableModel {
  provider: string;
  model: string;
  aliases?: string[];
  /** Sorted by effectiveFrom, oldest first. */
  prices: PriceEntry[];
}

export interface PriceTable {
  version: string;
  models: PriceTableModel[];
}

export interface PriceInput {
  model: string | null;
  provider: string | null;
  /** Event time, epoch ms. */
  at: number;
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; reasoningTokens: number };
}

export interface PriceOverride {
  /** When set, the override applies only to events reporting this provider (case-insensitive). */
  provider?: string;
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok?: number | null;
  reasoningPerMTok?: number | null;
}

/** usd null = no price known (unpriced). */
export interface PriceResult {
  usd: number | null;
  priceId: string | null;
}

/** The rates that apply to one event, with defaults already filled in. */
export interface ResolvedPrice {
  /** "openai/gpt-4o@2024-08-06", or "override/<model>". */
  priceId: string;
  provider: string;
  /** Canonical model name from the table (or the normalised override model). */
  model: string;
  /** null for overrides. */
  effectiveFrom: string | null;
  inputPerMTok: number;
  cachedInputPerMTok: number;
  outputPerMTok: number;
  reasoningPerMTok: number;
  source: string | null;
  override: boolean;
}

/** One row of listModels: table values as stored (null cached/reasoning rate = input/output rate). */
export interface ListedPrice {
  provider: string;
  model: string;
  inputPerMTok: number;
  outputPerMTok: number;
  cachedInputPerMTok: number | null;
  reasoningPerMTok: number | null;
}

// ---------------------------------------------------------------------------------------------------------
// Model-name normalisation
// ---------------------------------------------------------------------------------------------------------

/** "openai:gpt-4o", "google-gla:gemini-2.0-flash" (agent-framework style provider prefixes). */
const COLON_PROVIDER_PREFIX =
  /^(?:openai|azure|anthropic|google(?:-gla|-vertex)?|gemini|vertex(?:ai|_ai)?|bedrock|mistral|groq|deepseek|meta|amazon|cohere|together|fireworks|openrouter|ollama):/;
/** Bedrock cross-region inference profiles: "us.", "eu.", "apac.", "global."… */
const REGION_PREFIX = /^(?:us|eu|apac|ap|global|us-gov|jp|au|ca)\./;
/** Bedrock vendor prefixes: "anthropic.claude-…", "meta.llama3-…", "amazon.nova-…". */
const VENDOR_DOT_PREFIX = /^(?:anthropic|meta|amazon|mistral|cohere|ai21|openai|google|qwen|writer)\./;
/** Bedrock version suffix: "-v1:0", "-v2:0", "-v1:0:200k". */
const BEDROCK_VERSION_SUFFIX = /-v\d+:\d+(?::[a-z0-9]+)?$/;
const LATEST_SUFFIX = /[-:]latest$/;
/** "-20240620", "-2024-08-06". */
const DATE_SUFFIX = /-(?:\d{8}|\d{4}-\d{2}-\d{2})$/;
/** Snapshot numbers: "-002" (Gemini), "-2411" (Mistral), "-0613" (OpenAI). */
const NUMERIC_SUFFIX = /-\d{3,4}$/;
/** A prefix match may not stop right before a version number ("claude-opus-4" must not take "claude-opus-4-8"). */
const VERSION_REMAINDER = /^-\d+(?:[.\-_:]|$)/;

/**
 * Canonical spelling of a model id: lower case, provider/vendor/region prefixes removed, Vertex "@date",
 * Bedrock "-v1:0" and "latest" suffixes removed. Date suffixes are kept (see lookup), so that a dated
 * snapshot can carry its own price.
 */
export function normalizeModelName(raw: string): string {
  let s = raw.trim().toLowerCase();
  const slash = s.lastIndexOf('/');
  if (slash >= 0) s = s.slice(slash + 1);
  s = s.replace(COLON_PROVIDER_PREFIX, '');
  s = s.replace(REGION_PREFIX, '');
  if (s.startsWith('deepseek.')) s = `deepseek-${s.slice('deepseek.'.length)}`;
  else s = s.replace(VENDOR_DOT_PREFIX, '');
  const at = s.indexOf('@');
  if (at > 0) s = s.slice(0, at);
  s = s.replace(BEDROCK_VERSION_SUFFIX, '');
  s = s.replace(LATEST_SUFFIX, '');
  return s;
}

interface Match<T> {
  value: T;
  /** Length of the matched name; exact matches beat any prefix match. */
  length: number;
  exact: boolean;
}

/** Name → value, with exact, date-stripped, snapshot-stripped, then longest-prefix lookup. */
class NameIndex<T> {
  private readonly byName = new Map<string, T>();

  set(normalisedName: string, value: T): void {
    this.byName.set(normalisedName, value);
  }

  get size(): number {
    return this.byName.size;
  }

  lookup(normalised: string): Match<T> | null {
    if (normalised === '') return null;
    let key = normalised;
    let hit = this.byName.get(key);
    if (hit !== undefined) return { value: hit, length: key.length, exact: true };
    key = key.replace(DATE_SUFFIX, '');
    hit = this.byName.get(key);
    if (hit !== undefined) return { value: hit, length: key.length, exact: true };
    key = key.replace(NUMERIC_SUFFIX, '');
    hit = this.byName.get(key);
    if (hit !== undefined) return { value: hit, length: key.length, exact: true };
    for (let i = key.length - 1; i > 0; i--) {
      const c = key.charCodeAt(i);
      // '-' 45, ':' 58, '_' 95
      if (c !== 45 && c !== 58 && c !== 95) continue;
      if (c === 45 && VERSION_REMAINDER.test(key.slice(i))) continue;
      const prefix = key.slice(0, i);
      hit = this.byName.get(prefix);
      if (hit !== undefined) return { value: hit, length: prefix.length, exact: false };
    }
    return null;
  }
}

// ---------------------------------------------------------------------------------------------------------
// Table index
// ---------------------------------------------------------------------------------------------------------

interface IndexedPrice {
  fromMs: number;
  entry: PriceEntry;
  resolved: ResolvedPrice;
}

interface IndexedModel {
  provider: string;
  model: string;
  prices: IndexedPrice[];
}

interface IndexedOverride {
  provider: string | null;
  resolved: ResolvedPrice;
}

/** Resolution of a (model, provider) pair, before the event time is applied. */
type Target = { kind: 'table'; model: IndexedModel } | { kind: 'override'; resolved: ResolvedPrice };

const MAX_CACHE_ENTRIES = 50_000;
const UNPRICED: PriceResult = Object.freeze({ usd: null, priceId: null });

function parseEffectiveFrom(value: string): number {
  // Date-only strings parse as UTC; date-times without a zone are also taken as UTC.
  const hasZone = /(?:z|[+-]\d{2}:?\d{2})$/i.test(value);
  return Date.parse(value.length > 10 && !hasZone ? `${value}Z` : value);
}

const isRate = (n: unknown): n is number => typeof n === 'number' && Number.isFinite(n) && n >= 0;
const isOptionalRate = (n: unknown): boolean => n === null || n === undefined || isRate(n);

/** Problems with a price table (empty when valid). */
export function validatePriceTable(table: PriceTable): string[] {
  const problems: string[] = [];
  if (typeof table.version !== 'string' || table.version === '') problems.push('version is missing');
  if (!Array.isArray(table.models)) return [...problems, 'models is not an array'];
  const owner = new Map<string, string>();
  for (const m of table.models) {
    const id = `${m.provider}/${m.model}`;
    if (!m.provider || !m.model) problems.push(`${id}: provider and model are required`);
    if (!Array.isArray(m.prices) || m.prices.length === 0) {
      problems.push(`${id}: has no prices`);
      continue;
    }
    let previous = Number.NEGATIVE_INFINITY;
    for (const p of m.prices) {
      const from = parseEffectiveFrom(p.effectiveFrom);
      if (!Number.isFinite(from)) problems.push(`${id}: bad effectiveFrom ${p.effectiveFrom}`);
      else if (from <= previous)
        problems.push(`${id}: prices not sorted by effectiveFrom at ${p.effectiveFrom}`);
      previous = from;
      if (!isRate(p.inputPerMTok)) problems.push(`${id}@${p.effectiveFrom}: bad inputPerMTok`);
      if (!isRate(p.outputPerMTok)) problems.push(`${id}@${p.effectiveFrom}: bad outputPerMTok`);
      if (!isOptionalRate(p.cachedInputPerMTok))
        problems.push(`${id}@${p.effectiveFrom}: bad cachedInputPerMTok`);
      if (!isOptionalRate(p.reasoningPerMTok))
        problems.push(`${id}@${p.effectiveFrom}: bad reasoningPerMTok`);
      if (typeof p.source !== 'string' || p.source === '')
        problems.push(`${id}@${p.effectiveFrom}: no source`);
    }
    for (const name of [m.model, ...(m.aliases ?? [])]) {
      const key = normalizeModelName(name);
      const other = owner.get(key);
      if (other !== undefined) problems.push(`${id}: name "${name}" (${key}) already used by ${other}`);
      else owner.set(key, id);
    }
  }
  return problems;
}

interface TableIndex {
  index: NameIndex<IndexedModel>;
  models: IndexedModel[];
}

function indexTable(table: PriceTable): TableIndex {
  const problems = validatePriceTable(table);
  if (problems.length > 0) throw new Error(`invalid price table: ${problems.join('; ')}`);
  const index = new NameIndex<IndexedModel>();
  const models: IndexedModel[] = [];
  for (const m of table.models) {
    const indexed: IndexedModel = {
      provider: m.provider,
      model: m.model,
      prices: m.prices.map((entry) => ({
        fromMs: parseEffectiveFrom(entry.effectiveFrom),
        entry,
        resolved: {
          priceId: `${m.provider}/${m.model}@${entry.effectiveFrom}`,
          provider: m.provider,
          model: m.model,
          effectiveFrom: entry.effectiveFrom,
          inputPerMTok: entry.inputPerMTok,
          cachedInputPerMTok: entry.cachedInputPerMTok ?? entry.inputPerMTok,
          outputPerMTok: entry.outputPerMTok,
          reasoningPerMTok: entry.reasoningPerMTok ?? entry.outputPerMTok,
          source: entry.source,
          override: false,
        },
      })),
    };
    models.push(indexed);
    for (const name of [m.model, ...(m.aliases ?? [])]) index.set(normalizeModelName(name), indexed);
  }
  return { index, models };
}

/** Table indexes are shared by every PriceBook built on the same table object (withOverrides is cheap). */
const tableIndexes = new WeakMap<PriceTable, TableIndex>();

function tableIndex(table: PriceTable): TableIndex {
  let index = tableIndexes.get(table);
  if (!index) {
    index = indexTable(table);
    tableIndexes.set(table, index);
  }
  return index;
}

function priceAt(model: IndexedModel, at: number): IndexedPrice {
  const prices = model.prices;
  // Validation guarantees at least one price.
  let chosen = prices[0]!;
  if (!Number.isFinite(at)) return prices[prices.length - 1]!;
  for (let i = prices.length - 1; i >= 0; i--) {
    const p = prices[i]!;
    if (p.fromMs <= at) {
      chosen = p;
      break;
    }
  }
  return chosen;
}

const tokenCount = (n: number): number => (Number.isFinite(n) && n > 0 ? n : 0);

function cost(rates: ResolvedPrice, usage: PriceInput['usage']): number {
  const input = tokenCount(usage.inputTokens);
  const cached = tokenCount(usage.cachedInputTokens);
  const output = tokenCount(usage.outputTokens);
  const reasoning = tokenCount(usage.reasoningTokens);
  const micro =
    Math.max(0, input - cached) * rates.inputPerMTok +
    cached * rates.cachedInputPerMTok +
    Math.max(0, output - reasoning) * rates.outputPerMTok +
    reasoning * rates.reasoningPerMTok;
  return micro / 1_000_000;
}

function isValidOverride(o: PriceOverride): boolean {
  return (
    typeof o.model === 'string' &&
    normalizeModelName(o.model) !== '' &&
    isRate(o.inputPerMTok) &&
    isRate(o.outputPerMTok) &&
    isOptionalRate(o.cachedInputPerMTok) &&
    isOptionalRate(o.reasoningPerMTok)
  );
}

// ---------------------------------------------------------------------------------------------------------
// PriceBook
// ---------------------------------------------------------------------------------------------------------

export class PriceBook {
  readonly table: PriceTable;
  readonly overrides: readonly PriceOverride[];
  private readonly index: NameIndex<IndexedModel>;
  private readonly models: IndexedModel[];
  private readonly overrideIndex: NameIndex<IndexedOverride[]>;
  private readonly cache = new Map<string, Target | null>();

  /** Invalid overrides (negative or non-numeric rates, empty model) are ignored. */
  constructor(table: PriceTable = DEFAULT_TABLE, overrides: PriceOverride[] = []) {
    this.table = table;
    const indexed = tableIndex(table);
    this.index = indexed.index;
    this.models = indexed.models;
    this.overrides = overrides.filter(isValidOverride);
    this.overrideIndex = new NameIndex<IndexedOverride[]>();
    const grouped = new Map<string, IndexedOverride[]>();
    for (const o of this.overrides) {
      const key = normalizeModelName(o.model);
      const list = grouped.get(key) ?? [];
      list.push({
        provider: o.provider ? o.provider.trim().toLowerCase() : null,
        resolved: {
          priceId: `override/${key}`,
          provider: o.provider ?? 'override',
          model: key,
          effectiveFrom: null,
          inputPerMTok: o.inputPerMTok,
          cachedInputPerMTok: o.cachedInputPerMTok ?? o.inputPerMTok,
          outputPerMTok: o.outputPerMTok,
          reasoningPerMTok: o.reasoningPerMTok ?? o.outputPerMTok,
          source: null,
          override: true,
        },
      });
      grouped.set(key, list);
    }
    for (const [key, list] of grouped) this.overrideIndex.set(key, list);
  }

  /** A book on the same table with these overrides (replacing any this book has). */
  withOverrides(overrides: PriceOverride[]): PriceBook {
    return new PriceBook(this.table, overrides);
  }

  /** Cost of one event. usd null = unpriced (no model, or a model the table and overrides do not know). */
  price(input: PriceInput): PriceResult {
    const rates = this.resolve(input.model, input.provider, input.at);
    if (!rates) return UNPRICED;
    return { usd: cost(rates, input.usage), priceId: rates.priceId };
  }

  /** The rates applying to a model at a time (overrides first), or null when the model is unknown. */
  resolve(model: string | null, provider: string | null, at: number): ResolvedPrice | null {
    if (!model) return null;
    const target = this.target(model, provider);
    if (!target) return null;
    return target.kind === 'override' ? target.resolved : priceAt(target.model, at).resolved;
  }

  /** Every table model with a price in force at `at`, with overrides applied, sorted by provider and model. */
  listModels(at: number): ListedPrice[] {
    const rows = new Map<IndexedModel | string, ListedPrice>();
    for (const m of this.models) {
      const first = m.prices[0];
      if (!first || (Number.isFinite(at) && first.fromMs > at)) continue;
      const { entry } = priceAt(m, at);
      rows.set(m, {
        provider: m.provider,
        model: m.model,
        inputPerMTok: entry.inputPerMTok,
        outputPerMTok: entry.outputPerMTok,
        cachedInputPerMTok: entry.cachedInputPerMTok,
        reasoningPerMTok: entry.reasoningPerMTok,
      });
    }
    for (const o of this.overrides) {
      const key = normalizeModelName(o.model);
      const match = this.index.lookup(key);
      const rates = {
        inputPerMTok: o.inputPerMTok,
        outputPerMTok: o.outputPerMTok,
        cachedInputPerMTok: o.cachedInputPerMTok ?? null,
        reasoningPerMTok: o.reasoningPerMTok ?? null,
      };
      if (match?.exact && !o.provider) {
        // An override for a table model replaces its row (a provider-scoped one is listed separately).
        rows.set(match.value, { provider: match.value.provider, model: match.value.model, ...rates });
      } else {
        rows.set(`${o.provider ?? ''}\u0000${key}`, {
          provider: o.provider ?? 'override',
          model: key,
          ...rates,
        });
      }
    }
    return [...rows.values()].sort((a, b) =>
      a.provider === b.provider ? a.model.localeCompare(b.model) : a.provider.localeCompare(b.provider),
    );
  }

  private target(model: string, provider: string | null): Target | null {
    const hasOverrides = this.overrideIndex.size > 0;
    const cacheKey = hasOverrides ? `${provider ?? ''}\u0000${model}` : model;
    const cached = this.cache.get(cacheKey);
    if (cached !== undefined) return cached;
    const name = normalizeModelName(model);
    const fromTable = this.index.lookup(name);
    let target: Target | null = fromTable ? { kind: 'table', model: fromTable.value } : null;
    if (hasOverrides) {
      const fromOverride = this.overrideIndex.lookup(name);
      const wanted = provider ? provider.trim().toLowerCase() : null;
      const list = fromOverride?.value;
      const chosen =
        list?.find((o) => o.provider !== null && o.provider === wanted) ??
        list?.find((o) => o.provider === null);
      // The override wins unless the table knows the model more precisely (e.g. an override for "gpt-4o"
      // must not capture "gpt-4o-mini", which the table prices exactly).
      if (chosen && fromOverride && (!fromTable || overrideIsAsSpecific(fromOverride, fromTable))) {
        target = { kind: 'override', resolved: chosen.resolved };
      }
    }
    if (this.cache.size >= MAX_CACHE_ENTRIES) this.cache.clear();
    this.cache.set(cacheKey, target);
    return target;
  }
}

function overrideIsAsSpecific(override: Match<unknown>, table: Match<unknown>): boolean {
  if (override.exact) return true;
  if (table.exact) return false;
  return override.length >= table.length;
}

const DEFAULT_TABLE: PriceTable = rawTable;

export const defaultPriceTable: PriceTable = DEFAULT_TABLE;
export const defaultPriceBook: PriceBook = new PriceBook(DEFAULT_TABLE);
