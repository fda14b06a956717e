import { reconcile } from '../domain/ingest';
import { awsDeps } from './aws-deps';
import type { HandlerDeps } from './deps';

/** Scheduled: finish interrupted folds and settle idle sessions. */
export function createReconcileJob(deps: HandlerDeps) {
  return async (): Promise<{ folds: number; settled: number; drained: number }> => {
    const result = await reconcile(deps);
    if (result.folds > 0 || result.settled > 0 || result.drained > 0) deps.logger.info('reconciled', result);
    return result;
  };
}

let job: (() => Promise<{ folds: number; settled: number; drained: number }>) | undefined;

/** Lambda entry point (EventBridge Scheduler, every few minutes). */
export const handler = async (): Promise<{ folds: number; settled: number; drained: number }> => {
  job ??= createReconcileJob(awsDeps());
  return job();
};
