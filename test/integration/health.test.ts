import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postgresUp, redisUp } from '../helpers/services.ts';
import { startTestDesk, type TestDesk } from '../helpers/test-desk.ts';

describe.skipIf(!postgresUp || !redisUp)('health and readiness on PostgreSQL and Redis', () => {
  let t: TestDesk;
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres', redis: true });
  });
  afterAll(() => t?.stop());

  it('is alive and ready', async () => {
    expect((await t.desk.server.inject('/healthz')).json()).toEqual({ status: 'ok' });
    const ready = await t.desk.server.inject('/readyz');
    expect(ready.statusCode).toBe(200);
    expect(ready.json().checks).toEqual({ database: { kind: 'postgres', status: 'ok' }, cache: { kind: 'redis', status: 'ok' } });
  });

  it('serves Prometheus metrics', async () => {
    const response = await t.desk.server.inject('/metrics');
    expect(response.headers['content-type']).toMatch(/text\/plain/);
    expect(response.body).toContain('refund_desk_http_request_duration_seconds');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await t.desk.server.inject('/nope');
    expect(response.statusCode).toBe(404);
    expect(response.json().error.code).toBe('route_not_found');
  });
});

describe.skipIf(!postgresUp)('readiness when the cache is down', () => {
  let t: TestDesk;
  beforeAll(async () => {
    // A Redis that nobody listens on: the desk still starts (and stays alive) but is not ready.
    t = await startTestDesk({ store: 'postgres', env: { REDIS_URL: 'redis://127.0.0.1:1', REDIS_KEY_PREFIX: 'down:' } });
  });
  afterAll(() => t?.stop());

  it('stays alive but reports not ready, naming the cache', async () => {
    expect((await t.desk.server.inject('/healthz')).statusCode).toBe(200);
    const ready = await t.desk.server.inject('/readyz');
    expect(ready.statusCode).toBe(503);
    expect(ready.json().checks.database.status).toBe('ok');
    expect(ready.json().checks.cache.status).not.toBe('ok');
  });

  it('still starts listening (its jobs wait for Redis instead of blocking start-up), and shuts down', async () => {
    const started = Date.now();
    const url = await t.desk.listen();
    expect(Date.now() - started).toBeLessThan(15_000);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    expect((await fetch(`${url}/readyz`)).status).toBe(503);
  }, 30_000);
});
