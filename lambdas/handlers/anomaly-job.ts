import { type AnomalyRunResult, runAnomalyChecks } from '../domain/alerts/service';
import { type AlertDeps, awsAlertDeps } from './alert-deps';

/** Scheduled every 5 minutes: anomaly checks and alert rules, incidents, notifications. */
export function createAnomalyJob(deps: AlertDeps) {
  return async (): Promise<AnomalyRunResult> => {
    const result = await runAnomalyChecks(deps);
    if (result.opened + result.escalated + result.resolved + result.failed > 0) {
      deps.logger.info('anomaly checks', { ...result });
    }
    return result;
  };
}

let job: (() => Promise<AnomalyRunResult>) | undefined;

/** Lambda entry point (EventBridge Scheduler, rate(5 minutes)). */
export const handler = async (): Promise<AnomalyRunResult> => {
  job ??= createAnomalyJob(awsAlertDeps());
  return job();
};
