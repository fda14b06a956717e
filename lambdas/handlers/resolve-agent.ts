import type { Principal } from '../domain/keys';
import type { SessionStore } from '../domain/ports';

/** Where a Lucidic call names no agent (events, updates): header, known session, the key's only agent. */
export const UNASSIGNED_AGENT = 'unassigned';

export class AgentResolver {
  private readonly cache = new Map<string, string>();

  constructor(private readonly sessions: SessionStore) {}

  remember(sessionId: string, agentId: string): void {
    if (this.cache.size > 100_000) this.cache.clear();
    this.cache.set(sessionId, agentId);
  }

  async resolve(sessionId: string, header: string | undefined, principal: Principal): Promise<string> {
    const cached = this.cache.get(sessionId);
    if (cached) return cached;
    const located = await this.sessions.locate(sessionId);
    if (located) {
      this.remember(sessionId, located);
      return located;
    }
    if (header) return header;
    if (principal.agents !== '*' && principal.agents.length === 1) return principal.agents[0]!;
    return UNASSIGNED_AGENT;
  }
}
