import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { createLocalServer } from '../../local/server';
import { type DemoOptions, type DemoResult, runDemo } from '../../scripts/demo';
import type { RunningVigil } from './local-runtime';

/**
 * Sends the demo generator's traffic to an in-process runtime through a second server whose batch API
 * skips the per-request commit, then commits once: seconds instead of a minute and a half.
 */
export async function loadDemoFast(
  v: RunningVigil,
  demo: Omit<DemoOptions, 'url' | 'key'>,
): Promise<DemoResult> {
  const fast = createLocalServer({
    ...v.rt,
    ingest: createIngestHandler({ ...v.rt.deps, sync: undefined }) as never,
  });
  await new Promise<void>((ok) => fast.listen(0, '127.0.0.1', () => ok()));
  const { port } = fast.address() as { port: number };
  try {
    return await runDemo({ url: `http://127.0.0.1:${port}`, key: v.key, ...demo });
  } finally {
    await new Promise<void>((ok) => fast.close(() => ok()));
    await v.rt.stores.db.sync();
  }
}
