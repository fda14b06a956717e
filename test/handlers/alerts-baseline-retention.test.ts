import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ALERT_CONFIG } from '../../lambdas/domain/alerts/config';
import { alertConfigFromEnv } from '../../lambdas/handlers/alert-deps';
import { createBaselineJob } from '../../lambdas/handlers/baseline-job';
import { env } from '../../lambdas/platform/env';
import { FakeClock, type RunningVigil, startVigil } from '../helpers/local-runtime';
import { type AgentTraffic, DAY, HOUR, seedHistory, sessionsBetween } from '../helpers/traffic';

/**
 * Baseline retention on the local runtime (DuckDB): the daily job keeps each day's baseline for
 * `baseline.retentionDays` (default 90) after its date, then deletes it. (DynamoDB: test/handlers/
 * alerts-aws.test.ts reads the TTL attribute the same job writes.)
 */
describe('baseline retention on DuckDB', () => {
  const D0 = Date.parse('2026-03-02T00:00:00Z');
  const clock = new FakeClock(D0);
  const agent: AgentTraffic = { agentId: 'keep-bot', peakPerHour: 6, seed: 21 };
  const date = (d: number) => new Date(D0 + d * DAY).toISOString().slice(0, 10);
  let v: RunningVigil;

  beforeAll(async () => {
    v = await startVigil({ clock });
    await seedHistory(
      v.rt.deps,
      () => v.rt.stores.db.sync(),
      agent.agentId,
      sessionsBetween(agent, D0 - DAY, D0),
    );
  }, 60_000);
  afterAll(async () => {
    await v?.stop();
  });

  const setRetention = (days: number) => {
    const cfg = v.rt.alertDeps.alertConfig;
    v.rt.alertDeps.alertConfig = { ...cfg, baseline: { ...cfg.baseline, retentionDays: days } };
  };
  /** The distinct dates of the agent's stored baselines. */
  const storedDates = async () => [
    ...new Set(
      (
        await v.rt.alertDeps.baselines.list({
          agentId: agent.agentId,
          production: true,
          fromDate: '2026-01-01',
          toDate: '2026-12-31',
        })
      ).map((b) => b.date),
    ),
  ];
  const runAt = (t: number) => {
    clock.t = t;
    return createBaselineJob(v.rt.alertDeps)();
  };

  it('keeps every daily baseline within the default 90 days', async () => {
    // Act: the daily job on six consecutive days (the traffic stays inside the 14-day window)
    const runs = [];
    for (let d = 0; d <= 5; d++) runs.push(await runAt(D0 + d * DAY + HOUR));
    // Assess
    expect(DEFAULT_ALERT_CONFIG.baseline.retentionDays).toBe(90);
    expect(runs.map((r) => r.pruned)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(await storedDates()).toEqual([0, 1, 2, 3, 4, 5].map(date));
  });

  it('deletes the days past a shorter retention on the next run', async () => {
    // Prepare
    setRetention(3);
    // Act: day 5, 01:00 — days 0, 1 and 2 are three or more days old
    const run = await runAt(D0 + 5 * DAY + HOUR);
    // Assess
    expect(run.pruned).toBeGreaterThanOrEqual(3);
    expect(await storedDates()).toEqual([3, 4, 5].map(date));
  });

  it('deletes a baseline once it is 90 days old, and not a day before', async () => {
    // Prepare
    setRetention(DEFAULT_ALERT_CONFIG.baseline.retentionDays);
    // Act: no traffic in the window any more, so the job stores nothing new and only prunes
    const before = await runAt(D0 + 92 * DAY + 23 * HOUR);
    const datesBefore = await storedDates();
    const due = await runAt(D0 + 93 * DAY);
    // Assess
    expect(before).toMatchObject({ baselines: 0, pruned: 0 });
    expect(datesBefore).toEqual([3, 4, 5].map(date));
    expect(due.pruned).toBeGreaterThanOrEqual(1);
    expect(await storedDates()).toEqual([4, 5].map(date));
  });
});

describe('catching up on a missed daily baseline (onlyMissing)', () => {
  const D0 = Date.parse('2026-05-04T00:00:00Z');
  const clock = new FakeClock(D0);
  const agent: AgentTraffic = { agentId: 'catch-up-bot', peakPerHour: 6, seed: 5 };
  let v: RunningVigil;

  beforeAll(async () => {
    v = await startVigil({ clock });
    await seedHistory(
      v.rt.deps,
      () => v.rt.stores.db.sync(),
      agent.agentId,
      sessionsBetween(agent, D0 - 2 * DAY, D0 + 12 * HOUR),
    );
  }, 60_000);
  afterAll(async () => {
    await v?.stop();
  });

  const computedAt = async (date: string) =>
    (
      await v.rt.alertDeps.baselines.list({
        agentId: agent.agentId,
        production: true,
        fromDate: date,
        toDate: date,
        slice: 'all',
      })
    )[0]?.computedAt;

  it("makes today's baseline when it is missing, and leaves an existing one alone", async () => {
    const job = createBaselineJob(v.rt.alertDeps);
    // Act: start-up at 02:00 with no baseline for the day, then again at 11:00 (a restart)
    clock.t = D0 + 2 * HOUR;
    const first = await job({ onlyMissing: true });
    clock.t = D0 + 11 * HOUR;
    const again = await job({ onlyMissing: true });
    // Assess: the 11:00 run kept the 02:00 baseline (it would now include the morning's hours)
    expect(first).toMatchObject({ agents: 1, skipped: 0 });
    expect(first.baselines).toBeGreaterThan(0);
    expect(again).toMatchObject({ agents: 1, skipped: 1, baselines: 0 });
    expect(await computedAt('2026-05-04')).toBe(D0 + 2 * HOUR);
    // A full run (the daily schedule) replaces it; the next day's check makes that day's.
    const full = await job();
    expect(full.skipped).toBe(0);
    expect(await computedAt('2026-05-04')).toBe(D0 + 11 * HOUR);
    clock.t = D0 + DAY + HOUR;
    expect((await job({ onlyMissing: true })).skipped).toBe(0);
    expect(await computedAt('2026-05-05')).toBe(D0 + DAY + HOUR);
  });
});

describe('baseline settings from the Lambda environment', () => {
  it('reads the retention, window and warm-up, with 90 days kept by default', () => {
    const base = { VIGIL_TABLE_NAME: 't', VIGIL_BUCKET_NAME: 'b' };
    expect(alertConfigFromEnv(env(base)).baseline.retentionDays).toBe(90);
    const set = alertConfigFromEnv(
      env({ ...base, VIGIL_BASELINE_RETENTION_DAYS: '400', VIGIL_BASELINE_WINDOW_DAYS: '21' }),
    );
    expect(set.baseline).toMatchObject({ retentionDays: 400, windowDays: 21, warmupDays: 7 });
    expect(() => env({ ...base, VIGIL_BASELINE_RETENTION_DAYS: '0' })).toThrow(
      /VIGIL_BASELINE_RETENTION_DAYS/,
    );
  });
});
