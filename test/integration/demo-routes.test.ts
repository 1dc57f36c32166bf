// The demo shop's routes (the page that hands out chat tokens, POST /demo/fresh-orders that places
// orders without credentials) exist where the demo is seeded, and never in production, whatever the
// flags: even a configuration that says both "production" and "seed the demo" gets none of them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, type Config } from '../../src/config.ts';
import { createDesk, type Desk } from '../../src/desk.ts';
import { seedDemoShop } from '../../src/demo/seed-demo.ts';
import { createTestDatabase, postgresUp, type TestDatabase } from '../helpers/services.ts';
import { TEST_SECRETS } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp)('demo routes', () => {
  let database: TestDatabase;
  let seeded: Config;
  const desks: Desk[] = [];
  beforeAll(async () => {
    database = await createTestDatabase();
    seeded = loadConfig({ NODE_ENV: 'test', PORT: '0', DEMO_SEED: 'on', DATABASE_URL: database.url, ...TEST_SECRETS });
  });
  afterAll(async () => {
    for (const desk of desks) await desk.close();
    await database?.drop();
  });

  async function deskWith(config: Config): Promise<Desk> {
    const desk = await createDesk(config, { defaultMetrics: false });
    desks.push(desk);
    await seedDemoShop(desk.db.prisma);
    return desk;
  }

  it('serve the demo shop where it is seeded', async () => {
    const desk = await deskWith(seeded);
    const page = await desk.server.inject({ method: 'GET', url: '/' });
    expect(page.statusCode).toBe(302);
    const product = await desk.server.inject({ method: 'GET', url: page.headers.location as string });
    expect(product.statusCode).toBe(200);
    expect(product.body).toMatch(/data-token="[\w-]{34}"/);
    expect((await desk.server.inject({ method: 'POST', url: '/demo/fresh-orders' })).statusCode).toBe(201);
  });

  it('are never registered in production, even with the demo seeded and the flag on', async () => {
    const desk = await deskWith({ ...seeded, env: 'production', seedDemo: true });
    const orders = await desk.db.prisma.order.count();
    const tokens = await desk.db.prisma.chatToken.count();
    for (const [method, url] of [
      ['GET', '/'],
      ['GET', '/demo/products/p_demo_ppt_course'],
      ['POST', '/demo/fresh-orders'],
    ] as const) {
      const response = await desk.server.inject({ method, url });
      expect([url, response.statusCode]).toEqual([url, 404]);
      expect(response.body).not.toMatch(/data-token/);
    }
    expect(await desk.db.prisma.order.count()).toBe(orders);
    expect(await desk.db.prisma.chatToken.count()).toBe(tokens);
  });
});
