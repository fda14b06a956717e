import type { PriceBook, PriceOverride } from './pricing/pricing';

/** Per-agent settings the ingest path reads (today: price overrides). */
export interface AgentSettingsStore {
  getPriceOverrides(agentId: string): Promise<PriceOverride[]>;
  setPriceOverrides(agentId: string, overrides: PriceOverride[], at: number): Promise<void>;
}

/**
 * The price book for an agent: the table plus that agent's overrides, cached per agent for `ttlMs`
 * (a change through the admin API takes effect within that time in other processes, at once here).
 */
export class AgentPriceBooks {
  private readonly cache = new Map<string, { book: PriceBook; until: number }>();

  constructor(
    private readonly base: PriceBook,
    private readonly settings: AgentSettingsStore | undefined,
    private readonly now: () => number,
    private readonly ttlMs = 60_000,
  ) {}

  async forAgent(agentId: string): Promise<PriceBook> {
    if (!this.settings) return this.base;
    const hit = this.cache.get(agentId);
    const t = this.now();
    if (hit && hit.until > t) return hit.book;
    const overrides = await this.settings.getPriceOverrides(agentId);
    const book = overrides.length ? this.base.withOverrides(overrides) : this.base;
    if (this.cache.size > 10_000) this.cache.clear();
    this.cache.set(agentId, { book, until: t + this.ttlMs });
    return book;
  }

  forget(agentId: string): void {
    this.cache.delete(agentId);
  }
}
