/** Every failure the domain reports carries a kind; one place (platform/http.ts) maps kinds to statuses. */
export type DomainErrorKind =
  | 'validation'
  | 'auth'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'too-large'
  | 'unsupported-media'
  | 'unavailable';

export class DomainError extends Error {
  readonly kind: DomainErrorKind;
  /** Dotted path of the offending field, when the error is about one. */
  readonly field?: string;

  constructor(kind: DomainErrorKind, message: string, options?: { field?: string; cause?: unknown }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DomainError';
    this.kind = kind;
    this.field = options?.field;
  }
}

export const validationError = (field: string, rule: string): DomainError =>
  new DomainError('validation', `${field}: ${rule}`, { field });

export const isDomainError = (e: unknown): e is DomainError => e instanceof DomainError;
