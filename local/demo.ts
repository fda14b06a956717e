import { createKey } from '../lambdas/domain/keys';
import { runDemo } from '../scripts/demo';
import type { Runtime } from './runtime';

/**
 * `npm start -- --demo`: when the store is empty, sends the demo traffic (scripts/demo.ts) to this
 * server through the batch API, with a temporary ingest key revoked afterwards.
 */
export async function seedDemoIfEmpty(rt: Runtime, url: string): Promise<void> {
  if ((await rt.deps.agents.list()).length > 0) {
    console.log('--demo: the store already holds data; no demo traffic added');
    return;
  }
  const { key, record } = await createKey(
    rt.deps.keys,
    { name: 'demo traffic (temporary)', scopes: ['ingest'], agents: '*' },
    Date.now(),
  );
  console.log('--demo: sending a month of demo traffic (the dashboard fills as it arrives)…');
  try {
    const r = await runDemo({ url, key });
    console.log(`--demo: ${r.sessions} sessions, ${r.events} events in ${r.seconds.toFixed(1)} s`);
  } finally {
    await rt.deps.keys.revoke(record.keyId, Date.now());
  }
}
