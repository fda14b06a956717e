import { runBaselines } from '../domain/baselines/service';
import { type AlertDeps, awsAlertDeps } from './alert-deps';

type Result = { agents: number; baselines: number; warmingUp: number };

/** Scheduled daily: recompute every agent's baselines (and its busy slices') for today. */
export function createBaselineJob(deps: AlertDeps) {
  return async (): Promise<Result> => {
    const started = Date.now();
    const result = await runBaselines(deps);
    deps.logger.info('baselines computed', { ...result, ms: Date.now() - started });
    return result;
  };
}

let job: (() => Promise<Result>) | undefined;

/** Lambda entry point (EventBridge Scheduler, daily). */
export const handler = async (): Promise<Result> => {
  job ??= createBaselineJob(awsAlertDeps());
  return job();
};
