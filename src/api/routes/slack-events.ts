// POST /slack/events: Slack's events and interactivity, on the desk's own port. The request goes to
// Bolt's HTTP receiver untouched (it reads the raw body itself, to check Slack's signature), so this
// scope parses nothing.
import type { FastifyInstance } from 'fastify';
import type { ApiDeps } from '../server.ts';

export async function registerSlackEvents(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const slack = deps.slack;
  if (!slack) return;
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, _payload, done) => done(null));
    scope.post('/slack/events', (request, reply) => {
      reply.hijack();
      slack.receiver.requestListener(request.raw, reply.raw);
    });
  });
}
