// The one place that maps error categories to HTTP status. 5xx answers never carry internal details.
import type { FastifyError, FastifyInstance } from 'fastify';
import { DeskError, type ErrorCategory } from '../errors.ts';

const STATUS: Record<ErrorCategory, number> = {
  invalid: 400,
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  too_large: 413,
  rate_limited: 429,
  unavailable: 503,
  internal: 500,
};

export function statusOf(error: DeskError): number {
  // An unknown reference is well-formed but not yet applicable: 422 tells the platform to retry later.
  if (error.code === 'unknown_reference') return 422;
  return STATUS[error.category];
}

export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | DeskError, request, reply) => {
    if (error instanceof DeskError) {
      const status = statusOf(error);
      if (status >= 500) request.log.error({ err: error, cause: error.cause }, error.message);
      return reply.status(status).send({
        error: {
          code: error.code,
          message: status >= 500 ? 'Internal error' : error.message,
          ...(error.field ? { field: error.field } : {}),
          ...(error.details && status < 500 ? error.details : {}),
        },
      });
    }
    const status = (error as FastifyError).statusCode ?? 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'request failed');
      return reply.status(500).send({ error: { code: 'internal_error', message: 'Internal error' } });
    }
    const code =
      error.code === 'FST_ERR_CTP_BODY_TOO_LARGE'
        ? 'body_too_large'
        : error.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE'
          ? 'unsupported_media_type'
          : (error.code?.toLowerCase() ?? 'bad_request');
    return reply.status(status).send({ error: { code, message: error.message } });
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error: { code: 'route_not_found', message: `No route ${request.method} ${request.url}` } }),
  );
}
