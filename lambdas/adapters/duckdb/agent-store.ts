import type { AgentStore } from '../../domain/ports';
import { type DuckDbDatabase, num } from './database';

export class DuckDbAgentStore implements AgentStore {
  private readonly known = new Set<string>();

  constructor(private readonly db: DuckDbDatabase) {
    db.register({ name: 'agents', columns: ['agent_id', 'created_at'], key: ['agent_id'], insertOnly: true });
  }

  async ensure(agentId: string, at: number): Promise<void> {
    if (this.known.has(agentId)) return;
    this.known.add(agentId);
    this.db.stage('agents', agentId, [agentId, at]);
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
