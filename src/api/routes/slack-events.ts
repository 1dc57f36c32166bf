// POST /slack/events: Slack's events and interactivity, on the desk's own port, answered by Bolt's
// HTTP receiver (it checks Slack's signature on the exact bytes itself). The body is read here
// first, within BODY_LIMIT_BYTES like every other route: a Content-Length over it is a 413 before a
// byte is read, a chunked body is cut off the moment it passes it, and Bolt never sees either. Bolt
// then takes the bytes read (a request with `rawBody` set is one it does not read again), so
// nothing here parses them.
import type { IncomingMessage } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../api-deps.ts';

type BufferedRequest = IncomingMessage & { rawBody?: Buffer };

export async function registerSlackEvents(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const slack = deps.slack;
  if (!slack) return;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    // Slack posts JSON (events) and form-encoded payloads (interactivity): take any type, as bytes.
    scope.addContentTypeParser('*', { parseAs: 'buffer' }, (request, body, done) => {
      (request.raw as BufferedRequest).rawBody = body as Buffer;
      done(null, undefined);
    });
    scope.post('/slack/events', (request, reply) => {
      const raw = request.raw as BufferedRequest;
      // A request with no body at all never went through the parser: Bolt still must not read the stream.
      raw.rawBody ??= Buffer.alloc(0);
      reply.hijack();
      slack.receiver.requestListener(raw, reply.raw);
    });
  });
}
