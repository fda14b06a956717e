import { useCallback, useEffect, useState } from 'react';
import type { ApiClient } from './api-client';
import { useApi, useApiClient } from './use-api';

/**
 * A cursor-paged list: the first page goes through useApi (cache, cancel, states), "load more" appends
 * the next pages until the API returns no cursor.
 */
export function usePagedApi<P extends { cursor: string | null }>(
  key: string | null,
  load: (client: ApiClient, cursor: string | null, signal?: AbortSignal) => Promise<P>,
) {
  const first = useApi(key, (c, s) => load(c, null, s));
  const client = useApiClient();
  const [more, setMore] = useState<{ pages: P[]; loading: boolean; error: Error | null }>({
    pages: [],
    loading: false,
    error: null,
  });
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new first page drops the appended pages
  useEffect(() => setMore({ pages: [], loading: false, error: null }), [key, first.data]);
  const last = more.pages.at(-1) ?? first.data;
  const cursor = last?.cursor ?? null;
  const loadMore = useCallback(() => {
    if (!cursor) return;
    setMore((m) => ({ ...m, loading: true, error: null }));
    load(client, cursor).then(
      (page) => setMore((m) => ({ pages: [...m.pages, page], loading: false, error: null })),
      (error: Error) => setMore((m) => ({ ...m, loading: false, error })),
    );
  }, [client, cursor, load]);
  return {
    first,
    pages: first.data ? [first.data, ...more.pages] : [],
    hasMore: cursor !== null,
    loadMore,
    loadingMore: more.loading,
    moreError: more.error,
  };
}
