import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { spawnVigil } from '../helpers/vigil-process';

const KEY = 'vgl_durability_test_key_0123456789';

async function call(url: string, method: string, path: string, body?: unknown) {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Api-Key ${KEY}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  // biome-ignore lint/suspicious/noExplicitAny: tests read arbitrary JSON answers
  return { status: res.status, body: (await res.json()) as any };
}

const event = (sessionId: string) => ({
  client_event_id: randomUUID(),
  session_id: sessionId,
  type: 'llm_generation',
  occurred_at: new Date().toISOString(),
  duration: 0.2,
  payload: {
    request: { model: 'gpt-4o-mini', provider: 'openai' },
    usage: { input_tokens: 100, output_tokens: 10 },
  },
});

describe('the local runtime under load and crashes', () => {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-durable-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serves 200 concurrent one-event requests (a Lucidic TS SDK burst) without an error', async () => {
    const v = await spawnVigil(join(dir, 'burst'), KEY);
    try {
      const agent = `agt_${randomUUID()}`;
      const { body } = await call(v.url, 'POST', '/api/initsession', {
        agent_id: agent,
        production_monitoring: true,
      });
      const results = await Promise.all(
        Array.from({ length: 200 }, () => call(v.url, 'POST', '/api/events', event(body.session_id))),
      );
      const metrics = await call(v.url, 'GET', `/api/agents/${agent}/production/metrics?metrics=tokens`);
      expect(results.filter((r) => r.status !== 201)).toEqual([]);
      expect(metrics.body.tokens.input).toBe(200 * 100);
    } finally {
      v.child.kill('SIGTERM');
      await v.exited;
    }
  });

  it('keeps every acknowledged write across kill -9, and counts each stored event exactly once', async () => {
    // Prepare: a runtime taking a steady stream of events
    const data = join(dir, 'crash');
    const first = await spawnVigil(data, KEY);
    const agent = `agt_${randomUUID()}`;
    const { body } = await call(first.url, 'POST', '/api/initsession', {
      agent_id: agent,
      production_monitoring: true,
    });
    const sid = body.session_id as string;
    const acked: string[] = [];
    let stop = false;
    const writers = Array.from({ length: 8 }, async () => {
      while (!stop) {
        const e = event(sid);
        try {
          const r = await call(first.url, 'POST', '/api/events', e);
          if (r.status === 201) acked.push(e.client_event_id);
        } catch {
          return; // the server died mid-request: that event was never acknowledged
        }
      }
    });

    // Act: kill -9 while requests are in flight, then start again on the same data
    await new Promise((r) => setTimeout(r, 1500));
    first.child.kill('SIGKILL');
    stop = true;
    await Promise.all(writers);
    await first.exited;
    const second = await spawnVigil(data, KEY);
    try {
      const read = await call(second.url, 'GET', `/api/sessions/${sid}`);
      const metrics = await call(second.url, 'GET', `/api/agents/${agent}/production/metrics?metrics=tokens`);

      // Assess
      const stored = new Set(read.body.events.map((e: { event_id: string }) => e.event_id));
      expect(acked.length).toBeGreaterThan(20);
      expect(acked.filter((id) => !stored.has(id))).toEqual([]);
      expect(metrics.body.tokens.input).toBe(stored.size * 100);
      expect(read.body.totals.events).toBe(stored.size);
    } finally {
      second.child.kill('SIGTERM');
      await second.exited;
    }
  });
});
