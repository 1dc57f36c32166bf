// Typed errors with a stable code, a category and (for bad input) the offending field. One place
// (src/api/error-handler.ts) maps categories to HTTP status; anything unknown is wrapped as internal.

export type ErrorCategory =
  | 'invalid'
  | 'unauthenticated'
  | 'forbidden'
  | 'not_found'
  | 'conflict'
  | 'too_large'
  | 'rate_limited'
  | 'unavailable'
  | 'internal';

export class DeskError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly field: string | undefined;
  readonly details: Record<string, unknown> | undefined;

  constructor(
    category: ErrorCategory,
    code: string,
    message: string,
    options: { field?: string; details?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DeskError';
    this.category = category;
    this.code = code;
    this.field = options.field;
    this.details = options.details;
  }
}

export const invalid = (code: string, message: string, field?: string) =>
  new DeskError('invalid', code, message, field === undefined ? {} : { field });
export const notFound = (code: string, message: string) => new DeskError('not_found', code, message);
export const conflict = (code: string, message: string, details?: Record<string, unknown>) =>
  new DeskError('conflict', code, message, details === undefined ? {} : { details });
export const forbidden = (code: string, message: string) => new DeskError('forbidden', code, message);

export function asDeskError(error: unknown): DeskError {
  if (error instanceof DeskError) return error;
  return new DeskError('internal', 'internal_error', 'Internal error', { cause: error });
}
