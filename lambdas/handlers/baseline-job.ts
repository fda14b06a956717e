import { type BaselineRunOptions, type BaselineRunResult, runBaselines } from '../domain/baselines/service';
import { type AlertDeps, awsAlertDeps } from './alert-deps';

type Result = BaselineRunResult;

/** Scheduled daily: recompute every agent's baselines (and its busy slices') for today; drop expired ones. */
export function createBaselineJob(deps: AlertDeps) {
  return async (options: BaselineRunOptions = {}): Promise<Result> => {
    const started = Date.now();
    const result = await runBaselines(deps, undefined, options);
    deps.logger.info('baselines computed', { ...result, ms: Date.now() - started });
    return result;
  };
}

let job: ReturnType<typeof createBaselineJob> | undefined;

/** Lambda entry point (EventBridge Scheduler, daily). */
export const handler = async (): Promise<Result> => {
  job ??= createBaselineJob(awsAlertDeps());
  return job();
};
