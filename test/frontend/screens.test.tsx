// @vitest-environment jsdom
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it, vi } from 'vitest';
import { type FakeApi, fakeApi } from './fake-api';
import * as F from './fixtures';
import { chart, openApp, params, resetAppAroundEachTest } from './render-app';

const open = (search: string, api: FakeApi = fakeApi(), key?: string | null) => openApp(search, api, key);

resetAppAroundEachTest();

describe('API key', () => {
  it('asks for a key first and opens the agents list with it', async () => {
    const api = open('', fakeApi(), null);
    expect(screen.getByRole('form', { name: 'API key' })).toBeTruthy();
    fireEvent.change(screen.getByLabelText('API key', { selector: 'input' }), {
      target: { value: ' vgl_pasted ' },
    });
    fireEvent.click(screen.getByRole('button', { name: 'Open dashboard' }));
    await screen.findByRole('table', { name: 'Agents' });
    expect(localStorage.getItem('vigil.apiKey')).toBe('vgl_pasted');
    expect(api.requests[0]!.pathname).toBe('/api/agents/summary');
  });

  it('shows the key prompt again, with the reason, when the API answers 401', async () => {
    open(
      '',
      fakeApi({
        '/api/agents/summary': () => new Response('{"error":"auth","detail":"bad key"}', { status: 401 }),
      }),
    );
    await screen.findByRole('form', { name: 'API key' });
    expect(screen.getByRole('alert').textContent).toMatch(/refused \(401\)/);
    expect(localStorage.getItem('vigil.apiKey')).toBeNull();
  });
});

describe('Agents screen', () => {
  it("lists agents with 24 h cost and error rate and opens one's Production tab", async () => {
    open('');
    const table = await screen.findByRole('table', { name: 'Agents' });
    const rows = within(table).getAllByRole('row');
    expect(rows[1]!.textContent).toContain('research-agent');
    expect(rows[2]!.textContent).toMatch(/support-bot.*\$4\.07.*\+369%.*9\.7%/);
    fireEvent.click(within(rows[2]!).getByRole('link', { name: 'support-bot' }));
    expect(params().get('agent')).toBe('support-bot');
    await screen.findByText('support-bot', { selector: 'h1 *, h1' });
  });

  it('explains how to get data when there are no agents', async () => {
    open('', fakeApi({ '/api/agents/summary': () => ({ ...F.agentsSummary(), agents: [] }) }));
    const empty = await screen.findByText('No agents have sent data yet');
    expect(empty.parentElement!.textContent).toContain('npm start -- --demo');
  });

  it('shows an error with a retry that asks again', async () => {
    let fail = true;
    const api = open(
      '',
      fakeApi({
        '/api/agents/summary': () =>
          fail
            ? new Response('{"error":"unavailable","detail":"store is busy"}', { status: 503 })
            : F.agentsSummary(),
      }),
    );
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('store is busy');
    fail = false;
    fireEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    await screen.findByRole('table', { name: 'Agents' });
    expect(api.calls('/summary')).toHaveLength(2);
  });
});

describe('Overview', () => {
  it('shows the cards with their changes and the cost trend and projection charts', async () => {
    open('?agent=support-bot');
    await screen.findByText('$12.64');
    const cost = document.querySelector('[data-stat="Total cost"]')!;
    expect(cost.textContent).toContain('−33% vs previous');
    expect(cost.querySelector('.tone-good')).toBeTruthy();
    await waitFor(() => expect(chart('cost-trend')?.getAttribute('data-has-data')).toBe('true'));
    await waitFor(() => expect(chart('projection')?.getAttribute('data-has-data')).toBe('true'));
    expect(document.querySelector('[data-fact="projected"]')!.textContent).toBe('$60.50');
  });

  it('puts a range preset in the URL and asks the API for that window', async () => {
    const api = open('?agent=support-bot');
    await screen.findByText('$12.64');
    fireEvent.click(screen.getByRole('button', { name: 'Last 30d' }));
    expect(params().get('range')).toBe('30d');
    await waitFor(() => expect(api.calls('/overview').at(-1)!.searchParams.get('range')).toBe('30d'));
    expect(
      api
        .calls('/cost/series')
        .some((u) => u.searchParams.get('range') === '30d' && u.searchParams.get('bucket') === '1d'),
    ).toBe(true);
  });

  it('applies a custom date range', async () => {
    const api = open('?agent=support-bot');
    await screen.findByText('$12.64');
    fireEvent.click(screen.getByRole('button', { name: 'Custom' }));
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '2026-11-01' } });
    fireEvent.change(screen.getByLabelText('To'), { target: { value: '2026-11-10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply' }));
    expect(params().get('from')).toBe('2026-11-01');
    await waitFor(() => expect(api.calls('/overview').at(-1)!.search).toBe('?from=2026-11-01&to=2026-11-10'));
  });

  it('filters by one tag or model at a time from the filter select', async () => {
    const api = open('?agent=support-bot');
    const select = (await screen.findByLabelText('Tag or model filter')) as HTMLSelectElement;
    await waitFor(() => expect(select.querySelectorAll('option').length).toBeGreaterThan(3));
    fireEvent.change(select, { target: { value: 'tag|tier:free' } });
    expect(params().get('tag')).toBe('tier:free');
    await waitFor(() => expect(api.calls('/overview').at(-1)!.searchParams.get('tag')).toBe('tier:free'));
    fireEvent.change(select, { target: { value: 'model|gpt-4o' } });
    expect(params().get('tag')).toBeNull();
    expect(params().get('model')).toBe('gpt-4o');
  });

  it('says when the window holds no traffic', async () => {
    const zero = { value: 0, previous: 0, change: 0, change_pct: null };
    open(
      '?agent=support-bot',
      fakeApi({ '/overview': () => F.overview({ sessions: zero, llm_calls: zero, total_cost_usd: zero }) }),
    );
    await screen.findByText('No traffic in this window');
  });

  it('explains session figures that a model filter cannot give', async () => {
    const none = { value: null, previous: null, change: null, change_pct: null };
    open(
      '?agent=support-bot&model=gpt-4o',
      fakeApi({
        '/overview': () =>
          F.overview({ sessions: none }, { slice: 'model:gpt-4o', level: 'event', production: true }),
      }),
    );
    await screen.findByText('$12.64');
    expect(document.querySelector('[data-stat="Sessions"]')!.getAttribute('title')).toMatch(/model filter/);
  });
});

describe('Cost', () => {
  it('shows buckets, per-session percentiles, outliers and spend by model with a what-if', async () => {
    const api = open('?agent=support-bot&view=cost');
    await waitFor(() => expect(chart('cost-buckets')?.getAttribute('data-has-data')).toBe('true'));
    fireEvent.click(screen.getByRole('button', { name: 'Week' }));
    await waitFor(() => expect(api.calls('/cost/series').at(-1)!.searchParams.get('bucket')).toBe('1w'));
    expect((await screen.findByText('P99 per session')).parentElement!.textContent).toContain('$0.577');
    const outliers = await screen.findByRole('table', { name: 'Expensive sessions' });
    expect(within(outliers).getByText('4.5× p99')).toBeTruthy();
    const pick = screen.getByLabelText('Cheaper model');
    await waitFor(() => expect(pick.querySelectorAll('option').length).toBeGreaterThan(1));
    fireEvent.change(pick, { target: { value: 'gpt-4o-mini' } });
    expect(params().get('alt')).toBe('gpt-4o-mini');
    const callout = await waitFor(() => {
      const el = document.querySelector('[data-fact="what-if"]');
      if (!el) throw new Error('no what-if yet');
      return el;
    });
    expect(callout.textContent).toContain('$1.37');
  });

  it('opens an outlier session', async () => {
    open('?agent=support-bot&view=cost&range=30d');
    const outliers = await screen.findByRole('table', { name: 'Expensive sessions' });
    fireEvent.click(within(outliers).getByRole('link', { name: 'refund #1210' }));
    expect(params().get('session')).toBe('demo-001210');
    expect(params().get('range')).toBe('30d');
    await screen.findByRole('heading', { name: 'order-status #1' });
  });
});

describe('Errors', () => {
  it('stacks errors by category, filters groups by a category, expands a group and loads more', async () => {
    const api = open('?agent=support-bot&view=errors');
    await waitFor(() => expect(chart('errors-by-category')?.getAttribute('data-has-data')).toBe('true'));
    const groups = await screen.findByRole('table', { name: 'Error groups' });
    const toggle = within(groups).getByRole('button', { name: /RateLimitError/ });
    fireEvent.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    expect(groups.textContent).toContain('client.ts:512');
    expect(within(groups).getByRole('link', { name: 'demo-000007' }).getAttribute('href')).toContain(
      'session=demo-000007',
    );
    expect(
      within(groups).getByRole('link', { name: 'All affected sessions →' }).getAttribute('href'),
    ).toContain('fingerprint=fp-rate');
    fireEvent.click(screen.getByRole('button', { name: 'Load more groups' }));
    await waitFor(() => expect(document.querySelector('[data-fingerprint="more-rate"]')).toBeTruthy());
    expect(screen.queryByRole('button', { name: 'Load more groups' })).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: /rate limit/ }));
    await waitFor(() =>
      expect(api.calls('/errors/groups').at(-1)!.searchParams.get('error_type')).toBe('rate_limit'),
    );
  });

  it('has an empty state when nothing failed', async () => {
    open(
      '?agent=support-bot&view=errors',
      fakeApi({ '/errors/groups': () => ({ ...F.errorGroups(), groups: [] }) }),
    );
    await screen.findByText('No errors in this window');
  });
});

describe('Latency', () => {
  it('shows the duration distribution with percentile markers and per-type tables', async () => {
    open('?agent=support-bot&view=latency');
    await waitFor(() => expect(chart('duration-histogram')?.getAttribute('data-has-data')).toBe('true'));
    expect(chart('duration-histogram')!.textContent).toContain('P95 16.2 s');
    const table = screen.getByRole('table', { name: 'Latency by event type' });
    expect(
      within(table)
        .getAllByRole('row')
        .map((r) => r.firstElementChild!.textContent),
    ).toEqual(['Event type', 'llm', 'tool']);
    expect(chart('latency-trend')?.getAttribute('data-has-data')).toBe('true');
  });
});

describe('Quality', () => {
  it('shows success, evals, slices and rubrics', async () => {
    const api = open('?agent=support-bot&view=quality');
    await screen.findByText('85.0%');
    expect(screen.getByRole('table', { name: 'Quality by slice' }).textContent).toContain('prompt-v2');
    expect(document.querySelector('[data-rubric="helpful"]')!.textContent).toContain('89.1% pass');
    expect(document.querySelector('[data-rubric="tone"]')!.textContent).toContain('curt');
    const slice = screen.getByLabelText('Slice by');
    await waitFor(() => expect(slice.querySelectorAll('option').length).toBeGreaterThan(1));
    fireEvent.change(slice, { target: { value: 'tag:tier' } });
    await waitFor(() => expect(api.calls('/quality').at(-1)!.searchParams.get('by')).toBe('tag:tier'));
  });
});

describe('Compare', () => {
  it('compares two tag values side by side with deltas', async () => {
    const api = open('?agent=support-bot&view=compare');
    await screen.findByRole('table', { name: 'Comparison' });
    fireEvent.change(screen.getByLabelText('Comparison mode'), { target: { value: 'tag' } });
    const key = await screen.findByLabelText('Tag key');
    fireEvent.change(key, { target: { value: 'tier' } });
    expect(params().get('a')).toBe('free');
    expect(params().get('b')).toBe('pro');
    await waitFor(() => expect(api.calls('/compare').at(-1)!.searchParams.get('mode')).toBe('tag'));
    const table = await screen.findByRole('table', { name: 'Comparison' });
    expect(within(table).getByText('Total cost').parentElement!.textContent).toContain('+25%');
    await waitFor(() => expect(chart('compare-cost-b')?.getAttribute('data-has-data')).toBe('true'));
    expect(api.calls('/cost/series').some((u) => u.searchParams.get('tag') === 'tier:pro')).toBe(true);
  });

  it('asks for the moment in before/after mode', async () => {
    const api = open('?agent=support-bot&view=compare&mode=before_after');
    await screen.findByText('Pick the moment (a deploy) to split the window at.');
    fireEvent.change(screen.getByLabelText('Split at (UTC)'), { target: { value: '2026-11-24T10:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Compare' }));
    expect(params().get('at')).toBe('2026-11-24T10:00:00Z');
    await waitFor(() =>
      expect(api.calls('/compare').at(-1)!.searchParams.get('at')).toBe('2026-11-24T10:00:00Z'),
    );
  });

  it('lists experiments to compare with production', async () => {
    open('?agent=support-bot&view=compare&mode=experiment');
    const pick = await screen.findByLabelText('Experiment');
    fireEvent.change(pick, { target: { value: 'prompt-v2' } });
    expect(params().get('experiment')).toBe('prompt-v2');
  });
});

describe('Sessions', () => {
  it('lists sessions with list filters in the URL and exports the list', async () => {
    const api = open('?agent=support-bot&view=sessions&fingerprint=fp-rate');
    const table = await screen.findByRole('table', { name: 'Sessions' });
    expect(within(table).getAllByRole('row')).toHaveLength(3);
    expect(api.calls('/sessions').at(-1)!.searchParams.get('fingerprint')).toBe('fp-rate');
    fireEvent.change(screen.getByLabelText('Errors'), { target: { value: 'true' } });
    await waitFor(() => expect(api.calls('/sessions').at(-1)!.searchParams.get('has_error')).toBe('true'));
    const saved = mockDownloads();
    fireEvent.click(
      within(screen.getByRole('group', { name: 'Export sessions' })).getByRole('button', {
        name: 'Export CSV',
      }),
    );
    await waitFor(() => expect(saved).toHaveLength(1));
    expect(saved[0]).toBe('support-bot-sessions.csv');
    expect(api.calls('/sessions/export')[0]!.searchParams.get('has_error')).toBe('true');
  });
});

describe('Session deep dive', () => {
  it('shows the header, the timeline and every LLM call, tool call and error', async () => {
    open('?agent=support-bot&view=errors&session=demo-000001');
    await screen.findByRole('heading', { name: 'order-status #1' });
    expect(screen.getByRole('link', { name: /support-bot · Errors/ }).getAttribute('href')).toContain(
      'view=errors',
    );
    const timeline = screen.getByRole('list', { name: 'Event timeline' });
    expect(timeline.querySelectorAll('[data-event-row]')).toHaveLength(4);
    expect(timeline.querySelector('[data-event-row="tool-0"]')!.className).toContain('failed');
    const details = screen.getByRole('region', { name: 'Details' });
    expect(details.querySelectorAll('[data-event-item]')).toHaveLength(2);
    fireEvent.click(within(details).getByRole('tab', { name: /Errors/ }));
    expect(details.textContent).toContain('tools/lookup_order.ts:41');
    fireEvent.click(within(details).getByRole('tab', { name: /Evals/ }));
    expect(within(details).getByRole('table', { name: 'Evals' }).textContent).toContain('helpful');
  });

  it("collapses a parent's subtree in the timeline", async () => {
    open('?agent=support-bot&session=demo-000001');
    const collapse = await screen.findByRole('button', { name: 'Collapse chat.step1' });
    fireEvent.click(collapse);
    expect(document.querySelector('[data-event-row="tool-0"]')).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Expand chat.step1' }));
    expect(document.querySelector('[data-event-row="tool-0"]')).toBeTruthy();
  });

  it('steps the replay through the events and shows the state at each step', async () => {
    open('?agent=support-bot&session=demo-000001');
    await screen.findByText(/Step 1 of 4/);
    fireEvent.click(screen.getByRole('button', { name: 'Next step' }));
    fireEvent.click(screen.getByRole('button', { name: 'Next step' }));
    expect(params().get('step')).toBe('2');
    expect(screen.getByText(/Step 3 of 4/)).toBeTruthy();
    const replay = screen.getByRole('region', { name: 'Replay' });
    expect(replay.querySelector('[data-fact="replay-cost"]')!.textContent).toBe('$0.010');
    expect(replay.querySelector('[data-event="tool-0"]')).toBeTruthy();
    expect(document.querySelector('[data-event-row="llm-1"]')!.className).toContain('future');
    fireEvent.click(screen.getByRole('button', { name: 'Last step' }));
    expect(replay.querySelector('[data-fact="replay-cost"]')!.textContent).toBe('$0.030');
    fireEvent.click(
      within(document.querySelector('[data-event-row="llm-0"]') as HTMLElement).getByRole('button', {
        name: 'Replay from chat.step1',
      }),
    );
    expect(params().get('step')).toBe('1');
  });

  it('plays the replay to the end', async () => {
    vi.useFakeTimers({ shouldAdvanceTime: true });
    try {
      open('?agent=support-bot&session=demo-000001');
      await screen.findByText(/Step 1 of 4/);
      fireEvent.click(screen.getByRole('button', { name: 'Play' }));
      await act(async () => {
        await vi.advanceTimersByTimeAsync(3000);
      });
      expect(screen.getByText(/Step 4 of 4/)).toBeTruthy();
      expect(screen.getByRole('button', { name: 'Play' })).toBeTruthy();
    } finally {
      vi.useRealTimers();
    }
  });

  it('exports the session as JSON and CSV', async () => {
    const api = open('?agent=support-bot&session=demo-000001');
    await screen.findByRole('heading', { name: 'order-status #1' });
    const saved = mockDownloads();
    const group = screen.getByRole('group', { name: 'Export session' });
    fireEvent.click(within(group).getByRole('button', { name: 'Export JSON' }));
    await waitFor(() => expect(saved).toEqual(['demo-000001.json']));
    fireEvent.click(within(group).getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(saved).toEqual(['demo-000001.json', 'demo-000001-events.csv']));
    expect(api.calls('/export').map((u) => u.searchParams.get('format'))).toEqual(['json', 'csv']);
  });

  it('says so when the session does not exist', async () => {
    open(
      '?agent=support-bot&session=nope',
      fakeApi({
        '/session': () =>
          new Response('{"error":"not-found","detail":"session nope not found"}', { status: 404 }),
      }),
    );
    expect((await screen.findByRole('alert')).textContent).toContain('session nope not found');
  });
});

describe('Theme', () => {
  it('switches between system, light and dark', async () => {
    open('');
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'dark' } });
    expect(document.documentElement.getAttribute('data-theme')).toBe('dark');
    fireEvent.change(screen.getByLabelText('Theme'), { target: { value: 'system' } });
    expect(document.documentElement.hasAttribute('data-theme')).toBe(false);
  });
});

/** Captures file names saved through saveBlob (jsdom has no object URLs or downloads). */
function mockDownloads(): string[] {
  const saved: string[] = [];
  URL.createObjectURL = () => 'blob:fake';
  URL.revokeObjectURL = () => undefined;
  vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
    if (this.download) saved.push(this.download);
  });
  return saved;
}
