import { type MouseEvent, useCallback, useSyncExternalStore } from 'react';

/**
 * A tiny router on the History API that keeps the whole view in the query string
 * (`?agent=support-bot&view=cost&range=7d`). The path never changes, so the same build works at `/`,
 * under a CloudFront prefix or from S3 without rewrite rules, and every URL can be shared as is.
 */

const NAV_EVENT = 'vigil:navigate';

function subscribe(listener: () => void): () => void {
  const onPop = () => listener();
  window.addEventListener('popstate', onPop);
  window.addEventListener(NAV_EVENT, onPop);
  return () => {
    window.removeEventListener('popstate', onPop);
    window.removeEventListener(NAV_EVENT, onPop);
  };
}

const getSearch = () => window.location.search;

/** The current query string (reactive). */
export function useSearch(): string {
  return useSyncExternalStore(subscribe, getSearch, () => '');
}

/** Navigates to `?search`; replace keeps the history entry (filter tweaks that should not pile up). */
export function navigate(search: string, options: { replace?: boolean } = {}): void {
  const target = search.startsWith('?') ? search : `?${search}`;
  const url = `${window.location.pathname}${target === '?' ? '' : target}`;
  if (url === `${window.location.pathname}${window.location.search}`) return;
  if (options.replace) window.history.replaceState(null, '', url);
  else window.history.pushState(null, '', url);
  window.dispatchEvent(new Event(NAV_EVENT));
  if (!options.replace) window.scrollTo?.({ top: 0 });
}

export type ParamPatch = Record<string, string | number | null | undefined>;

/** Returns a new query string: `patch` values set, null/undefined/'' removed; `keep` limits what survives. */
export function withParams(search: string, patch: ParamPatch, keep?: readonly string[]): string {
  const current = new URLSearchParams(search);
  const next = new URLSearchParams();
  for (const [k, v] of current) if (!keep || keep.includes(k)) next.append(k, v);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || v === undefined || v === '') next.delete(k);
    else next.set(k, String(v));
  }
  const s = next.toString();
  return s ? `?${s}` : '?';
}

/** The query string as a reactive object and a setter that patches it. */
export function useParams(): [URLSearchParams, (patch: ParamPatch, options?: { replace?: boolean }) => void] {
  const search = useSearch();
  const set = useCallback((patch: ParamPatch, options?: { replace?: boolean }) => {
    navigate(withParams(window.location.search, patch), options);
  }, []);
  return [new URLSearchParams(search), set];
}

/** onClick for <a href="?…">: client-side navigation unless the user asked for a new tab. */
export function linkClick(href: string) {
  return (e: MouseEvent<HTMLAnchorElement>) => {
    if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
    e.preventDefault();
    navigate(href);
  };
}
