import type { PriceOverride } from '../../domain/pricing/pricing';
import type { AgentSettingsStore } from '../../domain/settings';
import type { DuckDbDatabase } from './database';

/** Per-agent settings (price overrides) as one JSON document per agent. */
export class DuckDbSettingsStore implements AgentSettingsStore {
  private ready: Promise<void> | null = null;

  constructor(private readonly db: DuckDbDatabase) {}

  private init(): Promise<void> {
    this.ready ??= this.db.exclusive((q) =>
      q.run(
        'CREATE TABLE IF NOT EXISTS agent_prices (agent_id VARCHAR PRIMARY KEY, overrides VARCHAR NOT NULL, updated_at BIGINT NOT NULL)',
      ),
    );
    return this.ready;
  }

  async getPriceOverrides(agentId: string): Promise<PriceOverride[]> {
    await this.init();
    const rows = await this.db.exclusive((q) =>
      q.all('SELECT overrides FROM agent_prices WHERE agent_id = $1', [agentId]),
    );
    return rows[0] ? (JSON.parse(rows[0].overrides as string) as PriceOverride[]) : [];
  }

  async setPriceOverrides(agentId: string, overrides: PriceOverride[], at: number): Promise<void> {
    await this.init();
    await this.db.exclusive((q) =>
      q.run(
        `INSERT INTO agent_prices VALUES ($1, $2, $3)
         ON CONFLICT (agent_id) DO UPDATE SET overrides = excluded.overrides, updated_at = excluded.updated_at`,
        [agentId, JSON.stringify(overrides), at],
      ),
    );
  }
}
