import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadDemoFast } from '../helpers/fast-demo';
import { FakeClock, type RunningVigil, startVigil } from '../helpers/local-runtime';
import { DAY, HOUR } from '../helpers/traffic';

/**
 * The dashboard issue's demo data set (scripts/demo.ts, default 3000 sessions over 30 days, seed 42)
 * produces the incidents it was built to contain. The demo is sent through the batch API; the month is
 * then replayed with the fake clock: the baseline job at every midnight, the anomaly job at every hour
 * boundary (a check between two boundaries would read that hour's rollup, which in a backfill already
 * holds the whole hour).
 *
 * For speed the test server answers the batch API with the same ingest handler but without the per-request
 * group commit (the runtime commits once after the demo): acknowledged-write durability is not what this
 * test is about, and it makes the 21 000 events take seconds instead of a minute and a half.
 */
const NOW = Date.UTC(2026, 11, 1); // the demo's traffic ends here
const ago = (days: number) => NOW - days * DAY;

// The story in scripts/demo.ts ("days ago" relative to the end of the traffic; the same windows as its
// TIMEOUT_BURST, DEPLOY_DAYS_AGO, TOOL_OUTAGE, SPIKE and RATE_LIMIT_BURST).
const STORY = {
  timeoutBurst: { from: ago(12), to: ago(11.7) },
  deploy: { from: ago(10), to: NOW },
  toolOutage: { from: ago(7.5), to: ago(7.2) },
  costSpike: { from: ago(5), to: ago(4) },
  rateLimitBurst: { from: ago(3), to: ago(2.7) },
};
/** Quiet agents are judged over up to 12 hours, so a breach may be seen up to 12 h after a short burst ends. */
const GRACE = 12 * HOUR;

/**
 * Every incident the month raises, and why. Besides the planted problems:
 * - the cost spike (prompts four times longer) also pushes research-agent's long sessions past the
 *   model's 128k context window, so its session error rate rises with the cost: a real consequence of
 *   the planted regression (context_length errors), expected;
 * - a known false positive of the detector: support-bot's session p50 on Friday afternoon, six hours
 *   before the deploy (15 sessions whose median sits 4σ above an expected value that is itself the
 *   figure of a thin hour-of-week pool, about 700 ms below the agent's typical session). Pools of 4-8x
 *   the minimum window volume remove it, but then the slower deploy and triage-bot's tool outage go
 *   unseen at the demo's volume and the scenario test's error burst opens 10 minutes later.
 */
const EXPECTED = [
  'research-agent cost costSpike critical',
  'research-agent errors costSpike critical',
  'research-agent errors timeoutBurst critical',
  'research-agent errors toolOutage critical',
  'research-agent latency timeoutBurst critical',
  'support-bot errors rateLimitBurst critical',
  'support-bot errors timeoutBurst critical',
  'support-bot errors toolOutage warning',
  'support-bot latency deploy critical',
  'support-bot latency knownFalsePositive warning',
  'support-bot latency timeoutBurst critical',
  'triage-bot errors timeoutBurst warning',
  'triage-bot errors toolOutage warning',
];
/** The one false positive left: first breach at the 18:00 check of Friday 2026-11-20. */
const KNOWN_FALSE_POSITIVE = { agent: 'support-bot', family: 'latency', at: ago(10.25) };

interface Found {
  agent: string;
  family: string;
  severity: string;
  firstBreach: number;
  opened: number;
}

describe('the demo data set', () => {
  const clock = new FakeClock(NOW);
  let v: RunningVigil;
  const found: Found[] = [];

  beforeAll(async () => {
    v = await startVigil({ clock });
    const sent = await loadDemoFast(v, { now: NOW, progress: false });
    expect(sent.rejected).toBe(0);
    for (let t = ago(29); t <= NOW; t += HOUR) {
      clock.t = t;
      if (t % DAY === 0) await v.rt.baselineJob();
      await v.rt.anomalyJob();
    }
    for (const agent of ['support-bot', 'research-agent', 'triage-bot']) {
      const res = await v.call('GET', `/api/agents/${agent}/incidents?limit=200`);
      for (const i of res.body.incidents) {
        found.push({
          agent,
          family: i.family,
          severity: i.peak_severity,
          firstBreach: Date.parse(i.first_breach_at),
          opened: Date.parse(i.opened_at),
        });
      }
    }
  }, 600_000);

  afterAll(async () => {
    await v?.stop();
  });

  const during =
    (w: { from: number; to: number }, grace = GRACE) =>
    (f: Found) =>
      f.firstBreach >= w.from && f.firstBreach <= w.to + grace;
  const hits = (agent: string, family: string, w: { from: number; to: number }, grace = GRACE) =>
    found.filter((f) => f.agent === agent && f.family === family && during(w, grace)(f));
  const hours = (f: Found, w: { from: number }) => Math.round((f.opened - w.from) / HOUR);

  it('finds the timeout burst twelve days ago: errors and latency, on the two busiest agents', () => {
    for (const agent of ['support-bot', 'research-agent']) {
      expect(hits(agent, 'errors', STORY.timeoutBurst), agent).not.toHaveLength(0);
      expect(hits(agent, 'latency', STORY.timeoutBurst), agent).not.toHaveLength(0);
      expect(hits(agent, 'latency', STORY.timeoutBurst)[0]!.severity).toBe('critical');
    }
    expect(hits('triage-bot', 'errors', STORY.timeoutBurst)).not.toHaveLength(0);
  });

  it('finds support-bot slower after the deploy ten days ago', () => {
    const after = hits('support-bot', 'latency', STORY.deploy, 0).filter(
      (f) => f.firstBreach < STORY.deploy.from + 2 * DAY,
    );
    expect(after).not.toHaveLength(0);
    console.log(
      `demo: deploy slowdown seen ${hours(after[0]!, STORY.deploy)} h after the deploy (${after[0]!.severity})`,
    );
  });

  it('finds the tool outage seven and a half days ago on every agent', () => {
    for (const agent of ['support-bot', 'research-agent', 'triage-bot']) {
      expect(hits(agent, 'errors', STORY.toolOutage), agent).not.toHaveLength(0);
    }
  });

  it("finds research-agent's cost spike five days ago", () => {
    const spike = hits('research-agent', 'cost', STORY.costSpike, 0);
    expect(spike).not.toHaveLength(0);
    console.log(
      `demo: cost spike seen ${hours(spike[0]!, STORY.costSpike)} h after it began (${spike[0]!.severity})`,
    );
  });

  it('finds the rate-limit burst three days ago, critical on support-bot', () => {
    // 7.2 night hours (00:00–07:12 UTC, the quietest of the demo's day): support-bot, nine calls in ten
    // to OpenAI (the rate-limited provider), shows it plainly. research-agent and triage-bot send a few
    // sessions in those hours, mostly to other providers: too few failures to tell from chance.
    const spotted = hits('support-bot', 'errors', STORY.rateLimitBurst);
    expect(spotted).not.toHaveLength(0);
    expect(spotted[0]!.severity).toBe('critical');
    console.log(`demo: rate-limit burst seen ${hours(spotted[0]!, STORY.rateLimitBurst)} h after it began`);
  });

  it('raises exactly the incidents of its story, nothing unexplained', () => {
    // Each incident is named by the story window its first breach falls in; the deploy (which lasts to
    // the end) explains only support-bot's latency. The rest are unexplained.
    const story = (f: Found): string => {
      if (
        f.agent === KNOWN_FALSE_POSITIVE.agent &&
        f.family === KNOWN_FALSE_POSITIVE.family &&
        f.firstBreach === KNOWN_FALSE_POSITIVE.at
      )
        return 'knownFalsePositive';
      const names = Object.keys(STORY) as Array<keyof typeof STORY>;
      const ordered = [...names.filter((n) => n !== 'deploy'), 'deploy' as const];
      const slower = f.agent === 'support-bot' && f.family === 'latency';
      const hit = ordered.find((n) =>
        n === 'deploy' ? slower && during(STORY.deploy, 0)(f) : during(STORY[n])(f),
      );
      return hit ?? `unexplained@${new Date(f.firstBreach).toISOString()}`;
    };
    const named = found.map((f) => `${f.agent} ${f.family} ${story(f)} ${f.severity}`).sort();
    console.log(`demo: ${found.length} incidents: ${named.join('; ')}`);
    expect(named).toEqual(EXPECTED);
  });
});
