import type { AgentStore } from '../../domain/ports';
import { type DuckDbDatabase, num } from './database';

export class DuckDbAgentStore implements AgentStore {
  private readonly known = new Set<string>();

  constructor(private readonly db: DuckDbDatabase) {}

  async ensure(agentId: string, at: number): Promise<void> {
    if (this.known.has(agentId)) return;
    await this.db.exclusive((q) =>
      q.run('INSERT INTO agents VALUES ($1, $2) ON CONFLICT DO NOTHING', [agentId, at]),
    );
    this.known.add(agentId);
  }

  list(): Promise<Array<{ agentId: string; createdAt: number }>> {
    return this.db.exclusive(async (q) =>
      (await q.all('SELECT agent_id, created_at FROM agents ORDER BY agent_id')).map((r) => ({
        agentId: r.agent_id as string,
        createdAt: num(r.created_at),
      })),
    );
  }
}
