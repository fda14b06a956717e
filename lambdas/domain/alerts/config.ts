import { type BaselineSettings, DEFAULT_BASELINE_SETTINGS } from '../baselines/compute';
import { DEFAULT_DETECT_SETTINGS, type DetectSettings } from './detect';
import type { IncidentPolicy } from './incident';

/** Every knob of baselines, detection and alerting, with the defaults the README documents. */
export interface AlertConfig {
  /** Baselines and anomaly checks read production traffic (true) or the rest (false). @default true */
  production: boolean;
  baseline: BaselineSettings;
  detect: DetectSettings;
  /** Slices besides `all` (tags, experiments, models) that get their own baseline, busiest first. @default 10 */
  maxSlices: number;
  /** A tag/experiment slice needs this many sessions in the baseline window. @default 300 */
  minSliceSessions: number;
  /** A model slice needs this many events in the baseline window. @default 2000 */
  minSliceEvents: number;
  /**
   * At most this many hours of one incident are left out of later baselines: a change that lasts longer
   * becomes the new normal (the baseline follows it) instead of staying an incident forever. @default 48
   */
  maxExcludedHours: number;
  /**
   * Anomaly incidents: confirmed by 2 consecutive checks, resolved after 30 normal minutes. A critical one
   * notifies at once; a warning's first notice waits 20 minutes, so one that turns critical meanwhile
   * notifies once, at critical. Anomaly windows fill over the hour after a change starts, so a spike
   * often opens as a warning and turns critical a check or three later (5 and 15 minutes in the scenario
   * tests); 20 minutes covers that with one check to spare.
   */
  anomalyPolicy: IncidentPolicy;
  /** Rule incidents: open on the first breach and notify at once, resolve after 15 normal minutes. */
  rulePolicy: IncidentPolicy;
  /** Attempts per delivery (one per check) before it is left failed. @default 3 */
  maxDeliveryAttempts: number;
  /** Base URL of the dashboard, for links in notifications (null: API paths). */
  dashboardUrl: string | null;
}

export const DEFAULT_ALERT_CONFIG: AlertConfig = {
  production: true,
  baseline: DEFAULT_BASELINE_SETTINGS,
  detect: DEFAULT_DETECT_SETTINGS,
  maxSlices: 10,
  minSliceSessions: 300,
  minSliceEvents: 2000,
  maxExcludedHours: 48,
  anomalyPolicy: { confirmChecks: 2, cooldownMs: 30 * 60_000, warningHoldMs: 20 * 60_000 },
  rulePolicy: { confirmChecks: 1, cooldownMs: 15 * 60_000, warningHoldMs: 0 },
  maxDeliveryAttempts: 3,
  dashboardUrl: null,
};
