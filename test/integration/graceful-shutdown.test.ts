// SIGTERM's path (desk.close()): stop accepting, let the request in flight finish, then close pools.
import { describe, expect, it } from 'vitest';
import { createDesk } from '../../src/desk.ts';
import { loadConfig } from '../../src/config.ts';
import { bearer, newOrder, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { until } from '../helpers/slack.ts';
import { startTestDesk, TEST_SECRETS } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('graceful shutdown', () => {
  it('finishes a refund in flight, then refuses new connections', async () => {
    const t = await startTestDesk({ store: 'postgres' });
    try {
      const ids = await seedShop(t);
      const order = await newOrder(t, ids);
      await t.desk.close(); // The seeding desk is done; a real listening desk takes over.
      const desk = await createDesk(
        loadConfig({ NODE_ENV: 'test', PORT: '0', DATABASE_URL: t.database!.url, DEMO_SEED: 'off', ...TEST_SECRETS }),
        { defaultMetrics: false },
      );
      desk.sandbox!.latencyMs = 400; // The payout is slow: shutdown starts while it is in progress.
      const url = await desk.listen();
      const inFlight = fetch(`${url}/v1/refund-requests`, {
        method: 'POST',
        headers: { ...bearer, 'content-type': 'application/json' },
        body: JSON.stringify({ orderId: order, buyerId: ids.buyer, reasonCode: 'changed_mind' }),
      });
      // Shutdown starts once the request is inside its handler (its refund written, the payout under
      // way), not after a fixed pause: on a loaded machine the request may not have arrived in 150 ms,
      // and one arriving after close() began is rightly answered 503.
      await until(
        () => desk.db.prisma.refund.findFirst({ where: { orderId: order } }),
        (r) => r !== null,
      );
      const closing = desk.close();
      const response = await inFlight;
      expect(response.status).toBe(201);
      expect(((await response.json()) as { status: string }).status).toBe('refunded');
      await closing;
      await expect(fetch(`${url}/healthz`)).rejects.toThrow();
    } finally {
      await t.stop();
    }
  });
});
