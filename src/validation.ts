// Input at the edge: JSON text as the desk reads it, and a zod failure as the desk's 400 (the first
// issue, with its field as a dotted path).
import type { z } from 'zod';
import { DeskError } from './errors.ts';

export function fieldOf(issue: z.core.$ZodIssue): string {
  return issue.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : String(p)))
    .join('.')
    .replace(/\.\[/g, '[');
}

export function parseOrThrow<S extends z.ZodType>(schema: S, input: unknown, what = 'body'): z.output<S> {
  const result = schema.safeParse(input, { reportInput: true });
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const field = fieldOf(issue) || what;
  const message = issue.code === 'invalid_type' && issue.input === undefined ? 'is required' : issue.message;
  throw new DeskError('invalid', 'invalid_input', `${field} ${message}`, { field });
}

// A lone UTF-16 surrogate can only come from a JSON escape (UTF-8 bytes cannot encode one). PostgreSQL
// refuses it in jsonb, and the hot path's rows travel as jsonb, one batch for several requests: such a
// string would fail the request and every batch it joined. It becomes U+FFFD, as a UTF-8 encoder (and
// the pg driver, for a text parameter) would make it.
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;

/** JSON.parse, with lone surrogates in strings replaced by U+FFFD (checked only when an escape could make one). */
export function parseJsonText(text: string): unknown {
  if (!SURROGATE_ESCAPE.test(text)) return JSON.parse(text);
  return JSON.parse(text, (_key, value: unknown) => (typeof value === 'string' ? toWellFormed(value) : value));
}

/** ES2024's String.prototype.toWellFormed (Node 20 has it; the ES2023 typings do not). */
const toWellFormed = (s: string): string => (s as string & { toWellFormed(): string }).toWellFormed();
