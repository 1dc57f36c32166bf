// Turns a zod failure into the desk's 400: the first issue, with its field as a dotted path.
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
