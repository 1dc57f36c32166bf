// The shop widget's two endpoints (M25): the script a shop page includes, and the WebSocket it opens.
// Both are public: the buyer's chat token, checked in the hello, is the credential.
import websocket from '@fastify/websocket';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { MAX_FRAME_BYTES } from '../../channels/widget/index.ts';
import type { ApiDeps } from '../api-deps.ts';

const SCRIPT = new URL('../../channels/widget/widget.js', import.meta.url);

export async function registerWidgetRoutes(app: FastifyInstance, deps: ApiDeps): Promise<void> {
  const script = await fs.readFile(SCRIPT);
  const etag = `"${createHash('sha256').update(script).digest('base64url').slice(0, 16)}"`;
  app.get('/widget.js', async (request, reply) => {
    reply
      .header('content-type', 'text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=300')
      .header('etag', etag)
      // Shops embed it from their own origin.
      .header('access-control-allow-origin', '*');
    if (request.headers['if-none-match'] === etag) return reply.status(304).send();
    return reply.send(script);
  });

  await app.register(websocket, { options: { maxPayload: MAX_FRAME_BYTES } });
  app.get('/widget/ws', { websocket: true }, (socket, request) => deps.widget.accept(socket, request));
}
