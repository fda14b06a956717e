import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentSettingsStore } from '../../../lambdas/domain/settings';

export function describeSettingsStoreContract(
  name: string,
  makeStore: () => Promise<{ store: AgentSettingsStore; cleanup?: () => Promise<void> }>,
): void {
  describe(`${name} (AgentSettingsStore contract)`, () => {
    let cleanup: (() => Promise<void>) | undefined;
    afterEach(async () => {
      await cleanup?.();
    });

    it('returns no overrides for an agent that has none', async () => {
      const made = await makeStore();
      cleanup = made.cleanup;
      expect(await made.store.getPriceOverrides(randomUUID())).toEqual([]);
    });

    it('replaces an agent’s overrides and keeps other agents’ apart', async () => {
      const made = await makeStore();
      cleanup = made.cleanup;
      const a = randomUUID();
      const b = randomUUID();
      await made.store.setPriceOverrides(a, [{ model: 'm1', inputPerMTok: 1, outputPerMTok: 2 }], 1);
      await made.store.setPriceOverrides(
        a,
        [{ provider: 'p', model: 'm2', inputPerMTok: 3, outputPerMTok: 4, cachedInputPerMTok: 0.5 }],
        2,
      );
      await made.store.setPriceOverrides(b, [{ model: 'm3', inputPerMTok: 5, outputPerMTok: 6 }], 3);
      expect(await made.store.getPriceOverrides(a)).toEqual([
        { provider: 'p', model: 'm2', inputPerMTok: 3, outputPerMTok: 4, cachedInputPerMTok: 0.5 },
      ]);
      expect((await made.store.getPriceOverrides(b))[0]!.model).toBe('m3');
    });
  });
}
