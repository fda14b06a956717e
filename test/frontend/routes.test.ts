import { describe, expect, it } from 'vitest';
import { withParams } from '../../frontend/src/lib/router';
import { parseRoute, sessionHref, viewHref } from '../../frontend/src/lib/routes';

describe('parseRoute', () => {
  it('opens the agents list without an agent', () => {
    expect(parseRoute('')).toEqual({ name: 'agents' });
  });

  it('opens an agent on its overview unless a known view is named', () => {
    expect(parseRoute('?agent=support-bot')).toEqual({
      name: 'agent',
      agentId: 'support-bot',
      view: 'overview',
    });
    expect(parseRoute('?agent=a&view=cost')).toMatchObject({ view: 'cost' });
    expect(parseRoute('?agent=a&view=nonsense')).toMatchObject({ view: 'overview' });
  });

  it('opens a session and remembers the tab it came from', () => {
    expect(parseRoute('?agent=a&view=errors&session=s-1')).toEqual({
      name: 'session',
      agentId: 'a',
      sessionId: 's-1',
      view: 'errors',
    });
  });
});

describe('withParams', () => {
  it('sets, replaces and removes parameters', () => {
    expect(withParams('?a=1&b=2', { b: '3', c: 'x', a: null })).toBe('?b=3&c=x');
  });

  it('keeps only the listed keys when asked', () => {
    expect(withParams('?a=1&b=2', { c: 3 }, ['a'])).toBe('?a=1&c=3');
  });
});

describe('hrefs', () => {
  it('keeps the shared filters and drops tab-specific parameters when switching tabs', () => {
    const href = viewHref(
      '?agent=a&view=cost&range=30d&tag=tier:pro&bucket=1w&alt=gpt-4o-mini',
      'a',
      'errors',
    );
    const sp = new URLSearchParams(href);
    expect(sp.get('view')).toBe('errors');
    expect(sp.get('range')).toBe('30d');
    expect(sp.get('tag')).toBe('tier:pro');
    expect(sp.get('bucket')).toBeNull();
  });

  it("does not carry one agent's slice to another agent", () => {
    const sp = new URLSearchParams(viewHref('?agent=a&tag=tier:pro&production=all', 'b', 'overview'));
    expect(sp.get('tag')).toBeNull();
    expect(sp.get('production')).toBe('all');
    expect(sp.get('view')).toBeNull();
  });

  it('links a session with the filters and tab of the page it was opened from', () => {
    const sp = new URLSearchParams(sessionHref('?agent=a&view=cost&range=30d&bucket=1w', 'a', 's 1'));
    expect(sp.get('session')).toBe('s 1');
    expect(sp.get('view')).toBe('cost');
    expect(sp.get('range')).toBe('30d');
    expect(sp.get('bucket')).toBeNull();
  });
});
