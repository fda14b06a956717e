import type { ReactNode } from 'react';
import { ApiError, ContractError, UnauthorizedError } from '../../lib/api-client';
import type { ApiState } from '../../lib/use-api';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      {label}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="state state-empty" data-state="empty">
      <strong>{title}</strong>
      {children && <div>{children}</div>}
    </div>
  );
}

/** A human sentence for an error, naming the field when the API named one. */
export function describeError(error: Error): string {
  if (error instanceof UnauthorizedError) return 'The API key was refused.';
  if (error instanceof ApiError) {
    if (error.status === 0) return `Cannot reach the Vigil API: ${error.message}`;
    if (error.status === 404) return `Not found: ${error.message}`;
    if (error.status === 403) return `This key may not read that: ${error.message}`;
    return error.message;
  }
  if (error instanceof ContractError) return `Unexpected answer from the API (${error.message})`;
  return error.message || 'Something went wrong';
}

export function ErrorState({ error, onRetry }: { error: Error; onRetry?: () => void }) {
  return (
    <div className="state state-error" role="alert" data-state="error">
      <strong>Could not load this</strong>
      <div>{describeError(error)}</div>
      {onRetry && (
        <button type="button" onClick={onRetry}>
          Retry
        </button>
      )}
    </div>
  );
}

/**
 * Renders the loading, error or empty state of an API call, else `children(data)`. A reload keeps the
 * previous data on screen, dimmed, instead of flashing a spinner.
 */
export function Async<T>({
  state,
  isEmpty,
  empty,
  loadingLabel,
  children,
}: {
  state: ApiState<T>;
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}) {
  if (state.status === 'error') return <ErrorState error={state.error} onRetry={state.reload} />;
  if (state.data === null) return <Loading label={loadingLabel} />;
  const stale = state.status === 'loading';
  const body = isEmpty?.(state.data) ? (empty ?? <Empty title="Nothing here yet" />) : children(state.data);
  return (
    <div className={stale ? 'stale' : undefined} aria-busy={stale}>
      {body}
    </div>
  );
}

/** Below a cursor-paged list: the error of the last "load more", and the button for the next page. */
export function LoadMore({
  list,
  what,
}: {
  list: { hasMore: boolean; loadMore: () => void; loadingMore: boolean; moreError: Error | null };
  /** e.g. "sessions": the button says "Load more sessions". */
  what: string;
}) {
  return (
    <>
      {list.moreError && <ErrorState error={list.moreError} onRetry={list.loadMore} />}
      {list.hasMore && (
        <button type="button" className="load-more" onClick={list.loadMore} disabled={list.loadingMore}>
          {list.loadingMore ? 'Loading…' : `Load more ${what}`}
        </button>
      )}
    </>
  );
}
