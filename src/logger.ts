// Structured logs with pino. Secrets and payment details are redacted wherever they appear.
import { pino, type Logger } from 'pino';

export type { Logger };

const REDACT = [
  'req.headers.authorization',
  'req.headers["x-signature"]',
  'req.headers["x-telegram-bot-api-secret-token"]',
  'req.headers["x-slack-signature"]',
  '*.token',
  '*.secret',
  '*.apiKey',
  '*.password',
  '*.transactionId',
  '*.payment',
];

export function createLogger(level: string, options: { name?: string } = {}): Logger {
  return pino({
    name: options.name ?? 'refund-desk',
    level,
    redact: { paths: REDACT, censor: '[redacted]' },
    base: undefined,
    timestamp: pino.stdTimeFunctions.isoTime,
  });
}
