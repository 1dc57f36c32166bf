// A start that fails leaves nothing open (issue 19): the composition root's close stack closes, in
// reverse, the BullMQ queues, the widget's pub/sub subscription, the cache and the database, so a
// desk that could not listen does not keep the process (or Redis connections) alive.
import net from 'node:net';
import { Redis } from 'ioredis';
import type { Queue } from 'bullmq';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createDesk } from '../../src/desk.ts';
import { clearRedisPrefix, createTestDatabase, postgresUp, REDIS_URL, redisUp, testRedisPrefix } from '../helpers/services.ts';
import { TEST_SECRETS } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp || !redisUp)('a failed start', () => {
  it('closes the job queues, the widget subscription, the cache and the database when listen fails', async () => {
    const database = await createTestDatabase();
    const prefix = testRedisPrefix();
    const taken = net.createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as net.AddressInfo).port;
    const redis = new Redis(REDIS_URL);
    try {
      const desk = await createDesk(
        loadConfig({
          NODE_ENV: 'test',
          HOST: '127.0.0.1',
          PORT: String(port),
          DATABASE_URL: database.url,
          REDIS_URL,
          REDIS_KEY_PREFIX: prefix,
          DEMO_SEED: 'off',
          ...TEST_SECRETS,
        }),
        { defaultMetrics: false },
      );
      expect(desk.jobs.kind).toBe('bullmq');
      const queue = (desk.jobs as unknown as { queue: Queue }).queue;
      await expect(desk.listen()).rejects.toThrow(/EADDRINUSE|address already in use/i);
      // The widget had subscribed before listening; now nobody listens on its channel.
      const [, subscribers] = (await redis.pubsub('NUMSUB', `${prefix}widget:push`)) as [string, number];
      expect(subscribers).toBe(0);
      expect(queue.closing).toBeDefined();
      await queue.closing;
      await expect(desk.db.prisma.$queryRawUnsafe('SELECT 1')).rejects.toThrow();
      // Closing again (the caller's own clean-up) is harmless.
      await desk.close();
    } finally {
      redis.disconnect();
      await new Promise((resolve) => taken.close(resolve));
      await database.drop();
      await clearRedisPrefix(prefix);
    }
  });
});
