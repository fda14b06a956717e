import { it } from 'vitest';
import { createIngestHandler } from '../../lambdas/handlers/ingest';
import { createLocalServer } from '../../local/server';
import { runDemo } from '../../scripts/demo';
import { FakeClock, startVigil } from '../helpers/local-runtime';
import { DAY, HOUR } from '../helpers/traffic';

it('demo', async () => {
  const NOW = Date.UTC(2026, 11, 1);
  const clock = new FakeClock(NOW);
  const v = await startVigil({ clock });
  const fast = createLocalServer({ ...v.rt, ingest: createIngestHandler({ ...v.rt.deps, sync: undefined }) as never });
  await new Promise<void>((ok) => fast.listen(0, '127.0.0.1', () => ok()));
  const port = (fast.address() as { port: number }).port;
  let t0 = Date.now();
  const r = await runDemo({ url: `http://127.0.0.1:${port}`, key: v.key, now: NOW, progress: false });
  await v.rt.stores.db.sync();
  console.log('demo', r, (Date.now() - t0) / 1000);
  const notes: string[] = [];
  (v.rt.alertDeps.notifiers as any).log = { send: async (_c: unknown, p: any) => { notes.push(`${new Date(clock.now()).toISOString()} ${p.type} ${p.incident?.title} ${p.incident?.severity}`); } };
  await v.call('POST', '/api/channels', { type: 'log', name: 'log' });
  t0 = Date.now();
  let jobMs = 0;
  for (let t = NOW - 30 * DAY + DAY; t <= NOW; t += HOUR) {
    clock.t = t;
    if (t % DAY === 0) await v.rt.baselineJob();
    const j0 = Date.now();
    await v.rt.anomalyJob();
    jobMs += Date.now() - j0;
  }
  console.log('replay', (Date.now() - t0) / 1000, jobMs / 1000);
  console.log(notes.join('\n'));
  for (const a of ['support-bot', 'research-agent', 'triage-bot']) {
    const res = await v.call('GET', `/api/agents/${a}/incidents?limit=100`);
    for (const i of res.body.incidents) console.log(a, i.title, i.severity, i.peak_severity, ((NOW - Date.parse(i.window.from)) / DAY).toFixed(2), 'd ago', i.first_breach_at, i.opened_at, i.resolved_at, i.trigger.metric, i.trigger.slice, i.trigger.value, i.trigger.expected, i.trigger.z);
  }
  fast.close();
  await v.stop();
}, 900_000);
