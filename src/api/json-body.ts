// Request bodies kept as bytes and parsed only once the caller is authenticated (server.ts), read
// here by the routes.
import { DeskError } from '../errors.ts';
import { parseJsonText } from '../validation.ts';

/** Marks a body that was not valid JSON; routes answer 400 after their authentication check. */
export const INVALID_JSON = Symbol('invalid-json');

export function requireJsonBody(body: unknown): unknown {
  if (body === INVALID_JSON) throw new DeskError('invalid', 'invalid_json', 'body must be valid JSON', { field: 'body' });
  return body;
}

/** The JSON in a request's bytes, for routes that authenticate the bytes first (signed or secret-token routes). */
export function parseJsonBody(raw: Buffer | undefined): unknown {
  if (!raw || raw.length === 0) return undefined;
  try {
    return parseJsonText(raw.toString('utf8'));
  } catch {
    throw new DeskError('invalid', 'invalid_json', 'body must be valid JSON', { field: 'body' });
  }
}
