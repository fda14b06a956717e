import { DomainError } from '../../domain/errors';

const THROTTLING = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'LimitExceededException',
  // Transient conflicts with another writer (global-table replication, someone else's transaction).
  'ReplicatedWriteConflictException',
  'TransactionConflictException',
]);

const SERVER = new Set([
  'InternalServerError',
  'InternalFailure',
  'ServiceUnavailable',
  'ServiceUnavailableException',
]);

/** Failures before any response: the request may not have reached DynamoDB at all. */
const NETWORK = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
]);
const NETWORK_NAMES = new Set(['TimeoutError', 'RequestTimeout', 'NetworkingError', 'AbortError']);

interface SdkLikeError {
  name?: string;
  code?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number };
}

export const isConditionFailed = (e: unknown): boolean =>
  (e as SdkLikeError | null)?.name === 'ConditionalCheckFailedException';

/** Whether an SDK error means "DynamoDB is (momentarily) not serving us" rather than a bad request. */
export function isUnavailable(e: unknown): boolean {
  if (typeof e !== 'object' || e === null) return false;
  const err = e as SdkLikeError;
  const status = err.$metadata?.httpStatusCode;
  if (err.name && (THROTTLING.has(err.name) || SERVER.has(err.name) || NETWORK_NAMES.has(err.name)))
    return true;
  if (err.code && NETWORK.has(err.code)) return true;
  return err.$fault === 'server' || (status !== undefined && status >= 500);
}

/**
 * Translates an SDK error: throttling, 5xx and network failures become DomainError 'unavailable' with
 * the original as `cause`; an item over DynamoDB's 400 KB limit becomes 'too-large'. Anything else is
 * a bug in how we call DynamoDB and is rethrown as it is.
 */
export function translateError(e: unknown, operation: string): unknown {
  if (e instanceof DomainError) return e;
  const err = e as SdkLikeError | null;
  if (isUnavailable(e)) {
    return new DomainError('unavailable', `DynamoDB ${operation} failed: ${err?.name}: ${err?.message}`, {
      cause: e,
    });
  }
  if (err?.name === 'ValidationException' && /item size/i.test(err.message ?? '')) {
    return new DomainError('too-large', `DynamoDB ${operation}: ${err.message}`, { cause: e });
  }
  return e;
}
