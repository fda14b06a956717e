import type { AgentStore } from '../../domain/ports';
import { type DynamoDbStoreOptions, Expr, VigilTable } from './client';
import { keyItem, num, str } from './items';
import { keys } from './table';

/** Agents in one partition (pk AGENTS, sk agentId); ensure is a conditional put, cached per process. */
export class DynamoDbAgentStore implements AgentStore {
  private readonly table: VigilTable;
  private readonly known = new Set<string>();

  constructor(options: DynamoDbStoreOptions) {
    this.table = new VigilTable(options);
  }

  async ensure(agentId: string, at: number): Promise<void> {
    if (this.known.has(agentId)) return;
    // A failed condition means it exists already: the first createdAt stays.
    await this.table.put(
      { ...keyItem(keys.agent(agentId)), agentId: str(agentId), createdAt: num(at) },
      { expression: 'attribute_not_exists(pk)' },
    );
    this.known.add(agentId);
  }

  async list(): Promise<Array<{ agentId: string; createdAt: number }>> {
    const expr = new Expr();
    const { items } = await this.table.query({
      KeyConditionExpression: `${expr.name('pk')} = ${expr.value(str('AGENTS'))}`,
      ConsistentRead: true,
      ...expr.maps(),
    });
    return items.map((i) => ({ agentId: i.agentId!.S!, createdAt: Number(i.createdAt!.N!) }));
  }
}
