import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStore } from '../../../lambdas/domain/ports';
import { type MakeStore, T0, uid } from './fixtures';

/** The AgentStore contract (lambdas/domain/ports.ts), run against every adapter. */
export function describeAgentStoreContract(name: string, makeStore: MakeStore<AgentStore>): void {
  describe(`AgentStore contract: ${name}`, () => {
    let store: AgentStore;
    let cleanup: (() => Promise<void>) | undefined;

    beforeAll(async () => {
      ({ store, cleanup } = await makeStore());
    });
    afterAll(async () => {
      await cleanup?.();
    });

    it('records an agent on first use and lists it', async () => {
      // Prepare
      const agentId = uid('agent');
      // Act
      await store.ensure(agentId, T0);
      // Assess
      expect(await store.list()).toContainEqual({ agentId, createdAt: T0 });
    });

    it('keeps the first creation time when ensured again', async () => {
      // Prepare
      const agentId = uid('agent');
      await store.ensure(agentId, T0);
      // Act
      await store.ensure(agentId, T0 + 1_000);
      // Assess
      const listed = (await store.list()).filter((a) => a.agentId === agentId);
      expect(listed).toEqual([{ agentId, createdAt: T0 }]);
    });

    it('lists exactly the ensured agents once each, ordered by id, under concurrent calls', async () => {
      // Prepare
      const fresh = await makeStore();
      try {
        const ids = ['agent-b', 'agent-a', 'agent-c'];
        // Act
        await Promise.all(
          ids.flatMap((id, i) => [fresh.store.ensure(id, T0 + i), fresh.store.ensure(id, T0 + i)]),
        );
        // Assess
        expect(await fresh.store.list()).toEqual([
          { agentId: 'agent-a', createdAt: T0 + 1 },
          { agentId: 'agent-b', createdAt: T0 },
          { agentId: 'agent-c', createdAt: T0 + 2 },
        ]);
      } finally {
        await fresh.cleanup?.();
      }
    });
  });
}
