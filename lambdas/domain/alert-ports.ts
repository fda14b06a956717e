import type {
  Aggregation,
  AnomalyMetric,
  ChannelType,
  Comparator,
  MetricFamily,
  NoDataPolicy,
  NotificationPayload,
  NotificationType,
  RuleFilters,
  RuleMetric,
  Severity,
} from '../../contracts/alerts';
import type { Page } from './ports';

/**
 * Ports and stored records of baselines, anomaly detection and alerting. Every adapter of a port passes
 * the same contract suite (test/adapters/contracts/). Times are epoch ms.
 */

// ---------------------------------------------------------------------------------------------------------
// Baselines
// ---------------------------------------------------------------------------------------------------------

/** One metric's model: an expected value for each hour of the week and a volume-normalised spread. */
export interface MetricBaseline {
  metric: AnomalyMetric;
  /** Expected value per hour of week (0 = Monday 00:00 UTC); null where the history holds nothing. */
  center: Array<number | null>;
  /** Typical units per hour for each hour of week (the volume a band is drawn for when none is known). */
  volume: number[];
  /**
   * Where each hour's expected value came from: "w" its own hour of week ±1 h, "d" the same hour of day ±1 h
   * on days of the same kind (weekday/weekend), "a" every hour (sparse history).
   */
  pools: string;
  /**
   * Robust spread of one unit above / below the expected value: a window of n units is expected within
   * ± z · spread / √n (per_unit), or ± z · spread · √λ sessions (rate).
   */
  spreadUp: number;
  spreadDown: number;
  /** Hours of history behind the model, and the units in them. */
  hours: number;
  units: number;
}

export interface Baseline {
  agentId: string;
  slice: string;
  production: boolean;
  /** UTC date the baseline applies to ("YYYY-MM-DD"): computed from the window that ends at its start. */
  date: string;
  computedAt: number;
  windowFrom: number;
  windowTo: number;
  /** First hour with traffic inside the window (null: none). */
  dataFrom: number | null;
  /** warming_up: less history than the warm-up; such a baseline is stored and charted but judges nothing. */
  status: 'ready' | 'warming_up';
  warmupEndsAt: number | null;
  /** Hours left out because an incident covered them (summed over families). */
  excludedHours: number;
  metrics: MetricBaseline[];
}

export interface BaselineStore {
  /**
   * Stores a baseline, replacing the one with the same agent, production flag, slice and date.
   * `expiresAt` (epoch ms; null or absent: never) is when its retention ends: a store with a TTL
   * (DynamoDB) has it deleted by the TTL after that time; the others delete it in `prune`.
   */
  put(baseline: Baseline, expiresAt?: number | null): Promise<void>;
  /**
   * Deletes the agent's baselines (both production flags, every slice) dated before `beforeDate`
   * ("YYYY-MM-DD") and answers how many it deleted. A store whose TTL deletes expired baselines
   * (DynamoDB) leaves that to the TTL and answers 0; baselines dated on or after `beforeDate` are
   * never touched.
   */
  prune(agentId: string, beforeDate: string): Promise<number>;
  /**
   * Baselines of an agent dated within [fromDate, toDate] (inclusive, "YYYY-MM-DD"), ordered by date then
   * slice; `slice` narrows to one slice.
   */
  list(q: {
    agentId: string;
    production: boolean;
    fromDate: string;
    toDate: string;
    slice?: string;
  }): Promise<Baseline[]>;
}

// ---------------------------------------------------------------------------------------------------------
// Alert rules and channels
// ---------------------------------------------------------------------------------------------------------

export interface AlertRule {
  ruleId: string;
  name: string;
  /** One agent, or "*" for each agent. */
  agentId: string;
  metric: RuleMetric;
  aggregation: Aggregation;
  windowMinutes: number;
  comparator: Comparator;
  warning: number | null;
  critical: number | null;
  filters: RuleFilters;
  minVolume: number;
  noData: NoDataPolicy;
  channelIds: string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
}

export interface AlertRuleStore {
  put(rule: AlertRule): Promise<void>;
  get(ruleId: string): Promise<AlertRule | null>;
  /** Every rule, ordered by id. */
  list(): Promise<AlertRule[]>;
  /** False when there was no such rule. */
  delete(ruleId: string): Promise<boolean>;
}

export interface Channel {
  channelId: string;
  name: string;
  type: ChannelType;
  /** sns: the topic; null = the deployment's alert topic. */
  topicArn: string | null;
  /** slack: the incoming-webhook URL (a secret). */
  webhookUrl: string | null;
  /** webhook: target URL (a secret) and the HMAC signing secret. */
  url: string | null;
  secret: string | null;
  notifyAnomalies: boolean;
  minSeverity: Severity;
  agents: '*' | string[];
  enabled: boolean;
  createdAt: number;
  updatedAt: number;
  lastDelivery: { at: number; ok: boolean; error: string | null } | null;
}

export interface ChannelStore {
  put(channel: Channel): Promise<void>;
  get(channelId: string): Promise<Channel | null>;
  /** Every channel, ordered by id. */
  list(): Promise<Channel[]>;
  delete(channelId: string): Promise<boolean>;
  /** Records the outcome of the latest delivery attempt (no-op for an unknown channel). */
  recordDelivery(
    channelId: string,
    outcome: { at: number; ok: boolean; error: string | null },
  ): Promise<void>;
}

/** Sends one notification through one channel; throws (a DomainError "unavailable") when it did not arrive. */
export interface Notifier {
  send(channel: Channel, payload: NotificationPayload): Promise<void>;
}

export type Notifiers = Partial<Record<ChannelType, Notifier>>;

// ---------------------------------------------------------------------------------------------------------
// Incidents
// ---------------------------------------------------------------------------------------------------------

/** One judged figure: what was measured, against what, and the verdict. */
export interface Signal {
  metric: string;
  slice: string;
  value: number | null;
  expected: number | null;
  /** The warning band (anomalies) or the thresholds (rules). */
  lower: number | null;
  upper: number | null;
  z: number | null;
  direction: 'up' | 'down';
  severity: Severity | null;
  volume: number;
  windowFrom: number;
  windowTo: number;
  at: number;
  reason: 'threshold' | 'anomaly' | 'no_data';
}

export interface TimelineEntry {
  at: number;
  /** acknowledged / manually_resolved: a person's action (detail = their note). */
  type:
    | 'opened'
    | 'escalated'
    | 'deescalated'
    | 'normal'
    | 'breach_again'
    | 'resolved'
    | 'acknowledged'
    | 'manually_resolved';
  severity: Severity | null;
  detail: string | null;
}

export interface Delivery {
  channelId: string;
  type: NotificationType;
  /** cancelled: a held warning whose incident resolved before it was due. */
  status: 'pending' | 'sent' | 'failed' | 'cancelled';
  /** Not sent before this time (warnings wait for the picture to settle; see IncidentPolicy). */
  notBefore: number | null;
  attempts: number;
  lastAttemptAt: number | null;
  error: string | null;
  /** Stable per delivery: receivers dedupe retries by it. */
  deliveryId: string;
}

export interface Incident {
  /** Time-ordered: ids sort by opening time. */
  incidentId: string;
  agentId: string;
  /** What the incident is about: "anomaly:<family>" or "rule:<ruleId>"; one open incident per agent and key. */
  key: string;
  source: 'anomaly' | 'rule';
  family: MetricFamily | null;
  ruleId: string | null;
  title: string;
  status: 'open' | 'resolved';
  severity: Severity;
  peakSeverity: Severity;
  firstBreachAt: number;
  openedAt: number;
  lastBreachAt: number;
  normalSince: number | null;
  resolvedAt: number | null;
  /**
   * Set by a person's acknowledge (who: the API key id, or the dashboard user's JWT subject). An
   * acknowledged incident keeps being evaluated but sends no further notices except the resolved one.
   */
  acknowledgedAt: number | null;
  acknowledgedBy: string | null;
  /** Who resolved it by hand (null: resolved by itself, or still open). */
  resolvedBy: string | null;
  /** The affected period: start of the first breaching window … back to normal (null while open). */
  windowFrom: number;
  windowTo: number | null;
  trigger: Signal;
  /** Latest signal per metric and slice seen breaching while open (at most 20). */
  signals: Signal[];
  timeline: TimelineEntry[];
  deliveries: Delivery[];
  /** Optimistic-concurrency version (1 on creation). */
  version: number;
  updatedAt: number;
}

/** Per agent and key: where the alert stands between checks (pending confirmation, open incident). */
export interface AlertState {
  agentId: string;
  key: string;
  phase: 'ok' | 'pending' | 'open';
  pendingChecks: number;
  pendingSince: number | null;
  pendingSeverity: Severity | null;
  pendingWindowFrom: number | null;
  incidentId: string | null;
  /**
   * After a manual resolve: no new incident opens for this key before this time (the cooldown an
   * automatic resolve gets from its normal period). Absent in states stored before it existed.
   */
  quietUntil?: number | null;
  version: number;
  updatedAt: number;
}

export interface IncidentQuery {
  agentId: string;
  status?: 'open' | 'resolved';
  source?: 'anomaly' | 'rule';
  /** Incidents whose affected window overlaps [from, to) (an open one extends to now). */
  from?: number;
  to?: number;
}

export interface IncidentStore {
  /**
   * Creates (expectedVersion 0) or replaces (expectedVersion = the stored version) an incident; the stored
   * version becomes `incident.version`. False when the stored version differs.
   */
  put(incident: Incident, expectedVersion: number): Promise<boolean>;
  get(agentId: string, incidentId: string): Promise<Incident | null>;
  /** Newest first (by incident id, i.e. opening time), paged by an opaque cursor. */
  list(q: IncidentQuery, cursor: string | null, limit: number): Promise<Page<Incident>>;
  /** Open incidents of one agent, or of every agent (null), newest first. */
  listOpen(agentId: string | null): Promise<Incident[]>;
  getState(agentId: string, key: string): Promise<AlertState | null>;
  /** Compare-and-set like `put` (expectedVersion 0 = create). */
  putState(state: AlertState, expectedVersion: number): Promise<boolean>;
  listStates(agentId: string): Promise<AlertState[]>;
}
