import type { EventDetail, SessionDetailResponse } from '../../../../../contracts/query-api';
import { formatMs, formatUsd } from '../../../lib/format';

export interface WaterfallRow {
  eventId: string;
  parentId: string | null;
  depth: number;
  childCount: number;
  type: EventDetail['type'];
  label: string;
  /** ms from the session start. */
  offsetMs: number;
  durationMs: number | null;
  /** Position and width on the time axis, 0–100. */
  left: number;
  width: number;
  failed: boolean;
  cost: string | null;
  duration: string;
  /** Ancestors, root first, so collapsing a parent hides the whole subtree. */
  ancestors: string[];
}

export interface Waterfall {
  rows: WaterfallRow[];
  spanMs: number;
  startMs: number;
  /** Labels for the time axis (0, ¼, ½, ¾, end). */
  ticks: Array<{ left: number; label: string }>;
}

const t = (iso: string) => Date.parse(iso);

/**
 * Lays the session's events out on one time axis: one row per event in the API's depth-first order
 * (parents above their children), each bar from its start for its duration. Events without a duration
 * get a thin mark; the axis covers the session and every event, whichever is longer.
 */
export function layoutWaterfall(d: SessionDetailResponse): Waterfall {
  const events = d.events;
  const starts = events.map((e) => t(e.started_at));
  const startMs = Math.min(t(d.session.started_at), ...starts);
  const ends = events.map((e, i) => starts[i]! + (e.duration_ms ?? 0));
  const sessionEnd = d.session.ended_at ? t(d.session.ended_at) : startMs;
  const endMs = Math.max(sessionEnd, ...ends, startMs + 1);
  const spanMs = endMs - startMs;
  const parentOf = new Map(events.map((e) => [e.event_id, e.parent_event_id]));
  const rows = events.map((e, i) => {
    const offsetMs = starts[i]! - startMs;
    const ancestors: string[] = [];
    let p = e.parent_event_id;
    const guard = new Set<string>();
    while (p && parentOf.has(p) && !guard.has(p)) {
      guard.add(p);
      ancestors.unshift(p);
      p = parentOf.get(p) ?? null;
    }
    const left = (offsetMs / spanMs) * 100;
    const width = e.duration_ms === null ? 0 : (e.duration_ms / spanMs) * 100;
    return {
      eventId: e.event_id,
      parentId: e.parent_event_id,
      depth: e.depth,
      childCount: e.child_count,
      type: e.type,
      label: e.name ?? (e.model ? `${e.type} ${e.model}` : e.type),
      offsetMs,
      durationMs: e.duration_ms,
      left: clamp(left),
      width: Math.max(0.4, Math.min(100 - clamp(left), width)),
      failed: e.error !== null,
      cost: e.cost?.usd === null || e.cost?.usd === undefined ? null : formatUsd(e.cost.usd),
      duration: formatMs(e.duration_ms),
      ancestors,
    };
  });
  const ticks = [0, 0.25, 0.5, 0.75, 1].map((f) => ({ left: f * 100, label: formatMs(f * spanMs) }));
  return { rows, spanMs, startMs, ticks };
}

/** Rows still visible when the events in `collapsed` hide their subtrees. */
export function visibleRows(rows: readonly WaterfallRow[], collapsed: ReadonlySet<string>): WaterfallRow[] {
  if (collapsed.size === 0) return [...rows];
  return rows.filter((r) => !r.ancestors.some((a) => collapsed.has(a)));
}

const clamp = (v: number) => Math.min(100, Math.max(0, v));
