import type { PriceOverride } from '../../domain/pricing/pricing';
import type { AgentSettingsStore } from '../../domain/settings';
import { type DynamoDbStoreOptions, VigilTable } from './client';
import { keyItem, num, str } from './items';

const key = (agentId: string) => ({ pk: 'SETTINGS', sk: agentId });

/** Per-agent settings in one partition (pk SETTINGS, sk agentId); price overrides as a JSON string. */
export class DynamoDbSettingsStore implements AgentSettingsStore {
  private readonly table: VigilTable;

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async getPriceOverrides(agentId: string): Promise<PriceOverride[]> {
    const item = await this.table.get(key(agentId));
    const json = item?.priceOverrides?.S;
    return json ? (JSON.parse(json) as PriceOverride[]) : [];
  }

  async setPriceOverrides(agentId: string, overrides: PriceOverride[], at: number): Promise<void> {
    await this.table.put({
      ...keyItem(key(agentId)),
      agentId: str(agentId),
      priceOverrides: str(JSON.stringify(overrides)),
      updatedAt: num(at),
    });
  }
}
