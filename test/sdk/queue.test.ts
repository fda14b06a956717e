import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DropInfo, LogEntry } from '../../sdk/src/index';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { client, getSession, newAgent, recordingFetch, sleep } from './support';

describe('SDK bounded queue', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await v.stop();
  });

  const names = (events: Array<{ name: string }>) =>
    events.map((e) => e.name).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));

  it('drops the oldest events when full, reports it once per burst, and delivers the newest', async () => {
    // Prepare: nothing is sent until flush()
    const agent = newAgent();
    const drops: DropInfo[] = [];
    const logs: LogEntry[] = [];
    const vigil = client(v, agent, {
      maxQueueSize: 10,
      flushIntervalMs: 60_000,
      onDrop: (d) => drops.push(d),
      logger: (e) => logs.push(e),
    });
    const session = vigil.session();

    // Act
    for (let i = 0; i < 25; i++) session.event({ name: `e${i}` });
    await Promise.resolve();
    const before = vigil.stats();
    session.end();
    const flushed = await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(before).toMatchObject({ droppedQueueFull: 15, queued: 11 });
    expect(drops).toEqual([{ reason: 'queue_full', events: 15, sessions: 0 }]);
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'warn', message: 'queue full: dropped the oldest items' }),
    );
    expect(flushed.ok).toBe(true);
    expect(names(res.body.events)).toEqual([
      'e15',
      'e16',
      'e17',
      'e18',
      'e19',
      'e20',
      'e21',
      'e22',
      'e23',
      'e24',
    ]);
    expect(res.body.status).toBe('finished');
    await vigil.shutdown();
  });

  it('keeps recording while the server is failing and delivers the batch in flight plus the newest', async () => {
    // Prepare: the server answers 503 until `down` is cleared
    const agent = newAgent();
    let down = true;
    const { fetch, requests } = recordingFetch(async (_req, _n, send) =>
      down ? new Response('{"detail":"down"}', { status: 503 }) : send(),
    );
    const vigil = client(v, agent, { fetch, maxQueueSize: 5, maxRetries: 100, retryMaxMs: 20 });
    const session = vigil.session();
    for (let i = 0; i < 3; i++) session.event({ name: `e${i}` });
    while (requests.length === 0) await sleep(5);

    // Act: 10 more events while the first batch is being retried
    for (let i = 3; i < 13; i++) session.event({ name: `e${i}` });
    session.end();
    down = false;
    const flushed = await vigil.flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(flushed.ok).toBe(true);
    expect(vigil.stats().droppedQueueFull).toBe(5);
    expect(names(res.body.events)).toEqual(['e0', 'e1', 'e2', 'e8', 'e9', 'e10', 'e11', 'e12']);
    await vigil.shutdown();
  });

  it('bounds the session updates too, dropping the oldest session', async () => {
    // Prepare
    const agent = newAgent();
    const drops: DropInfo[] = [];
    const vigil = client(v, agent, {
      maxQueueSize: 2,
      flushIntervalMs: 60_000,
      onDrop: (d) => drops.push(d),
    });

    // Act
    const sessions = [vigil.session(), vigil.session(), vigil.session()];
    await Promise.resolve();
    await vigil.flush();
    const found = await Promise.all(sessions.map((s) => getSession(v, s.id)));

    // Assess
    expect(drops).toEqual([{ reason: 'queue_full', events: 0, sessions: 1 }]);
    expect(found.map((r) => r.status)).toEqual([404, 200, 200]);
    await vigil.shutdown();
  });
});
