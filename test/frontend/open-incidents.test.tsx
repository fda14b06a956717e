// @vitest-environment jsdom
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { countOpen } from '../../frontend/src/features/incidents-summary/open-incidents';
import type { IncidentListResponse } from '../../frontend/src/lib/api-client';
import { clearApiCache } from '../../frontend/src/lib/use-api';
import { fakeApi } from './fake-api';
import { openApp as open, resetAppAroundEachTest } from './render-app';

/** Only the fields the badges read; the rest of an incident does not matter here. */
const incident = (agent: string, severity: 'warning' | 'critical', status: 'open' | 'resolved' = 'open') =>
  ({ incident_id: `${agent}-${severity}-${Math.random()}`, agent_id: agent, severity, status }) as never;

const openList = (): IncidentListResponse => ({
  incidents: [
    incident('support-bot', 'warning'),
    incident('support-bot', 'critical'),
    incident('research-agent', 'warning'),
    incident('research-agent', 'critical', 'resolved'),
  ],
  cursor: null,
});

resetAppAroundEachTest();

describe('open incident badges', () => {
  it('counts open incidents per agent and their critical ones, ignoring resolved ones', () => {
    const counts = countOpen(openList());
    expect(counts.get('support-bot')).toEqual({ total: 2, critical: 1 });
    expect(counts.get('research-agent')).toEqual({ total: 1, critical: 0 });
    expect(countOpen(null).size).toBe(0);
  });

  it('marks agents with open incidents on the agents list, linking to their Incidents view', async () => {
    const api = open('', fakeApi({ '/api/incidents': () => openList() }));
    const table = await screen.findByRole('table', { name: 'Agents' });
    const row = (agent: string) => table.querySelector(`tr[data-agent="${agent}"]`) as HTMLElement;
    const badge = await within(row('support-bot')).findByTitle('2 open incidents, 1 critical');
    expect(badge.textContent).toBe('2 open');
    expect(badge.className).toContain('tone-bad');
    expect(new URLSearchParams(badge.getAttribute('href')!).get('view')).toBe('incidents');
    expect(within(row('research-agent')).getByTitle('1 open incident').className).toContain('tone-warn');
    expect(api.calls('/api/incidents')[0]!.searchParams.get('status')).toBe('open');
  });

  it('shows the badge beside the agent title and nothing when the incidents call fails', async () => {
    open('?agent=support-bot', fakeApi({ '/api/incidents': () => openList() }));
    await screen.findByTitle('2 open incidents, 1 critical');
    cleanup();
    clearApiCache();
    const api = open(
      '?agent=support-bot',
      fakeApi({ '/api/incidents': () => new Response('{"error":"unavailable"}', { status: 503 }) }),
    );
    await waitFor(() => expect(api.calls('/api/incidents')).toHaveLength(1));
    await screen.findByText('support-bot', { selector: 'h1 *, h1' });
    expect(screen.queryByText(/open$/)).toBeNull();
    expect(screen.queryAllByRole('alert').filter((a) => a.textContent?.includes('unavailable'))).toHaveLength(
      0,
    );
  });
});
