import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { flush, init, shutdown, Vigil } from '../../sdk/src/index';
import { type RunningVigil, startVigil } from '../helpers/local-runtime';
import { client, getSession, metrics, newAgent } from './support';

describe('SDK configuration', () => {
  let v: RunningVigil;
  beforeAll(async () => {
    v = await startVigil();
  });
  afterAll(async () => {
    await shutdown();
    await v.stop();
  });

  it('falls back to VIGIL_* environment variables, accepting a base URL that ends in /api/', async () => {
    // Prepare
    const agent = newAgent();
    const env = { VIGIL_API_KEY: v.key, VIGIL_AGENT_ID: agent, VIGIL_BASE_URL: `${v.url}/api/` };

    // Act
    const session = init({ env, sessionName: 'from env', flushIntervalMs: 10 });
    session.end();
    const flushed = await flush();
    const res = await getSession(v, session.id);

    // Assess
    expect(flushed.ok).toBe(true);
    expect(res.body).toMatchObject({ agent_id: agent, name: 'from env', production_monitoring: false });
  });

  it('marks sessions as production from VIGIL_PRODUCTION_MONITORING or the seed LUCIDIC_ variable, options first', () => {
    // Prepare
    const flag = (env: Record<string, string>, o: { productionMonitoring?: boolean } = {}) =>
      new Vigil({ env, ...o }).session().productionMonitoring;

    // Act
    const flags = [
      flag({}),
      flag({ VIGIL_PRODUCTION_MONITORING: 'true' }),
      flag({ LUCIDIC_PRODUCTION_MONITORING: 'True' }),
      flag({ VIGIL_PRODUCTION_MONITORING: 'false', LUCIDIC_PRODUCTION_MONITORING: 'true' }),
      flag({ VIGIL_PRODUCTION_MONITORING: 'true' }, { productionMonitoring: false }),
    ];

    // Assess
    expect(flags).toEqual([false, true, true, false, false]);
  });

  it('monitors only enterprise users with a one-line predicate', async () => {
    // Prepare
    const agent = newAgent();
    const vigil = client(v, agent, { productionMonitoring: ({ tags }) => tags.includes('tier:enterprise') });

    // Act
    vigil.session({ tags: ['tier:enterprise'] }).end();
    vigil.session({ tags: ['tier:free'] }).end();
    vigil.session({ tags: ['tier:free'], productionMonitoring: true }).end();
    await vigil.flush();
    const [production, other] = await Promise.all([metrics(v, agent, 'true'), metrics(v, agent, 'false')]);

    // Assess
    expect(production.sessions.count).toBe(2);
    expect(other.sessions.count).toBe(1);
    await vigil.shutdown();
  });

  it('shares one client between init() calls for the same server, key and agent', async () => {
    // Prepare
    const env = { VIGIL_API_KEY: v.key, VIGIL_AGENT_ID: newAgent(), VIGIL_BASE_URL: v.url };

    // Act
    const first = init({ env, flushIntervalMs: 60_000 });
    const second = init({ env, sessionName: 'second', productionMonitoring: true });
    const other = init({ env: { ...env, VIGIL_AGENT_ID: newAgent() } });

    // Assess: one queue, so the first's options hold; the session options are per call
    // biome-ignore lint/suspicious/noExplicitAny: reaching the session's client for the test
    const clientOf = (s: unknown) => (s as any).host as Vigil;
    expect(clientOf(first)).toBe(clientOf(second));
    expect(clientOf(other)).not.toBe(clientOf(first));
    expect(clientOf(second).options.flushIntervalMs).toBe(60_000);
    expect([first.productionMonitoring, second.productionMonitoring]).toEqual([false, true]);
    await shutdown();
  });

  it('writes a debug log to stderr with VIGIL_DEBUG, without keys or payloads', async () => {
    // Prepare
    const lines: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    const vigil = new Vigil({
      env: { VIGIL_DEBUG: '1' },
      baseUrl: v.url,
      apiKey: v.key,
      agentId: newAgent(),
    });

    // Act
    const session = vigil.session();
    session.llm({ model: 'gpt-4o', input: 'SECRET PROMPT', output: 'SECRET ANSWER' });
    session.event({ name: 'bad', startedAt: Date.parse('1999-01-01T00:00:00Z') });
    session.end();
    await vigil.flush();
    await vigil.shutdown();
    spy.mockRestore();

    // Assess
    const log = lines.join('');
    expect(log).toMatch(/\[vigil\] debug session started/);
    expect(log).toMatch(/\[vigil\] debug batch sent/);
    expect(log).toMatch(/\[vigil\] warn the server rejected items .*started_at/);
    expect(log).not.toContain(v.key);
    expect(log).not.toContain('SECRET');
  });

  it('falls back to defaults, with a warning, for invalid options', () => {
    // Prepare
    const warnings: string[] = [];

    // Act
    const vigil = new Vigil({
      apiKey: 'k',
      env: {},
      maxQueueSize: -1,
      sampleRate: 2,
      logger: (e) => {
        if (e.level === 'warn') warnings.push(e.message);
      },
    });
    const session = vigil.session();
    void vigil.shutdown(0);

    // Assess
    expect(vigil.options.maxQueueSize).toBe(10_000);
    expect(session.sampleRate).toBe(1);
    expect(warnings).toEqual([
      'option maxQueueSize must be a number ≥ 1; using 10000',
      'sampleRate must be in (0, 1]; got 2, using 1',
    ]);
  });
});
