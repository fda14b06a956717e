import { reconcile } from '../domain/ingest';
import type { HandlerDeps } from './deps';

/** Scheduled: finish interrupted folds and settle idle sessions. */
export function createReconcileJob(deps: HandlerDeps) {
  return async (): Promise<{ folds: number; settled: number }> => {
    const result = await reconcile(deps);
    if (result.folds > 0 || result.settled > 0) deps.logger.info('reconciled', result);
    return result;
  };
}
