// `refund-desk replay` (M19): stored decisions run through decide() again with their stored facts
// and the policy version they name. Agreement on what the desk decided; a changed record, a policy
// version the desk does not know and unreadable facts are each reported; a product's own policy
// replays under the version it had, even after a newer one; and the CLI says so and exits non-zero.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PRESETS } from '../../src/policy/index.ts';
import { describeReplay, replayDecisions } from '../../src/refunds/decision-replay.ts';
import { product as productEvent, uid } from '../helpers/events.ts';
import { freshBuyer, newOrder, requestRefund, seedShop } from '../helpers/refunds.ts';
import { postgresUp } from '../helpers/services.ts';
import { startTestDesk, TEST_SECRETS, type TestDesk } from '../helpers/test-desk.ts';

const CLI = path.join(fileURLToPath(new URL('../..', import.meta.url)), 'scripts', 'refund-desk-dev.mjs');

describe.skipIf(!postgresUp)('replaying stored decisions (PostgreSQL)', () => {
  let t: TestDesk;
  let shop: Awaited<ReturnType<typeof seedShop>>;
  const started = new Date(Date.now() - 1_000);
  const requests: Record<string, string> = {};
  beforeAll(async () => {
    t = await startTestDesk({ store: 'postgres' });
    shop = await seedShop(t);
    const ask = async (name: string, order: Parameters<typeof newOrder>[2], reasonCode = 'changed_mind', ids?: typeof shop) => {
      const buyer = ids ?? (await freshBuyer(t, shop));
      requests[name] = (await requestRefund(t, { orderId: await newOrder(t, buyer, order), buyerId: buyer.buyer, reasonCode })).json().id;
    };
    await ask('cooling', { minutesAgo: 5 });
    await ask('conditional', { minutesAgo: 120, progress: 0.05 });
    await ask('m22', { minutesAgo: 120, progress: 0.2 }, 'unsatisfied');
    await ask('expired', { minutesAgo: 30 * 60 });
    await ask('troubleshoot', { minutesAgo: 60 }, 'cannot_use');
    await ask('lock', { minutesAgo: 5, usage: ['file.downloaded'] });
  }, 120_000);
  afterAll(() => t?.stop());
  const prisma = () => t.desk.db.prisma;
  const range = () => ({ from: started, to: new Date(Date.now() + 1_000) });

  it('agrees with every decision the desk made, and says so on the command line (exit 0)', async () => {
    const report = await replayDecisions(prisma(), range());
    expect(report).toMatchObject({ policyDecisions: 6, agree: 6, reworded: 0, disagree: [], notReplayable: [] });
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [CLI, 'replay', '--from', range().from.toISOString(), '--to', range().to.toISOString()],
      {
        env: {
          PATH: process.env.PATH,
          HOME: process.env.HOME,
          DATABASE_URL: t.database!.url,
          ...TEST_SECRETS,
          DEMO_SEED: 'off',
          LOG_LEVEL: 'silent',
        },
      },
    );
    expect(stdout).toContain('Replayed 6 policy decisions made from');
    expect(stdout).toContain('6 agree (100.0 %), 0 disagree, 0 could not be replayed.');
  });

  it("replays a product's own policy under the version the decision used, after the product moved to a newer one", async () => {
    const policyId = uid('pol').toLowerCase().replace(/_/g, '-');
    const v1 = { ...PRESETS.course, id: policyId, version: 1, windows: { unconditionalMinutes: 30, conditionalHours: 48 }, locks: [] };
    await prisma().refundPolicy.create({ data: { id: policyId, version: 1, category: 'course', definition: v1 } });
    const productId = uid('p');
    await t.postEvent(productEvent(productId, shop.merchant, { policyId }));
    const ids = await freshBuyer(t, { ...shop, product: productId });
    const body = (
      await requestRefund(t, {
        orderId: await newOrder(t, ids, { minutesAgo: 25, progress: 0.5 }),
        buyerId: ids.buyer,
        reasonCode: 'changed_mind',
      })
    ).json();
    // 25 minutes with half the course watched: version 1's 30-minute window approves it (no lock).
    expect(body).toMatchObject({ status: 'refunded', policy: { id: policyId, version: 1 } });
    await prisma().refundPolicy.create({
      data: {
        id: policyId,
        version: 2,
        category: 'course',
        definition: { ...v1, version: 2, windows: { unconditionalMinutes: 10, conditionalHours: 24 } },
      },
    });
    const report = await replayDecisions(prisma(), range());
    expect(report.disagree).toEqual([]);
    expect(report.agree).toBe(report.policyDecisions);
    expect((await api(body.orderId)).policy).toEqual({ id: policyId, version: 2 });
  });

  it('lists a decision that no longer agrees, one under an unknown policy version and one with unreadable facts (exit 1)', async () => {
    const stored = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: requests.expired } });
    await prisma().decision.update({ where: { id: stored.id }, data: { outcome: 'approved', decidedBy: 'window.conditional' } });
    const lock = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: requests.lock } });
    await prisma().decision.update({ where: { id: lock.id }, data: { policyVersion: 99 } });
    const m22 = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: requests.m22 } });
    await prisma().decision.update({ where: { id: m22.id }, data: { facts: { now: 'yesterday' } } });
    // Facts stored before the payment route was one of them read as routed, and still agree.
    const cooling = await prisma().decision.findFirstOrThrow({ where: { refundRequestId: requests.cooling } });
    const { refundRoute: _dropped, ...legacy } = cooling.facts as Record<string, unknown>;
    await prisma().decision.update({ where: { id: cooling.id }, data: { facts: legacy as object } });

    const report = await replayDecisions(prisma(), range());
    expect(report.disagree).toEqual([
      expect.objectContaining({
        requestId: requests.expired,
        stored: { outcome: 'approved', decidedBy: 'window.conditional' },
        replayed: { outcome: 'rejected', decidedBy: 'window.expired' },
        why: 'outcome approved → rejected',
      }),
    ]);
    expect(report.notReplayable.map((d) => [d.requestId, d.why])).toEqual(
      expect.arrayContaining([
        [requests.lock, 'policy course-default version 99 is not known to this desk'],
        [requests.m22, expect.stringMatching(/^the stored facts cannot be read: now /)],
      ]),
    );
    expect(report.reworded).toBe(1);
    const text = describeReplay(report);
    expect(text).toContain(`DISAGREES ${requests.expired}`);
    expect(text).toContain(`NOT REPLAYABLE ${requests.lock}`);

    const run = await promisify(execFile)(process.execPath, [CLI, 'replay', '--from', range().from.toISOString(), '--json'], {
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        DATABASE_URL: t.database!.url,
        ...TEST_SECRETS,
        DEMO_SEED: 'off',
        LOG_LEVEL: 'silent',
      },
    }).then(
      () => ({ code: 0, stdout: '' }),
      (error: { code: number; stdout: string }) => error,
    );
    expect(run.code).toBe(1);
    expect(JSON.parse(run.stdout)).toMatchObject({ disagree: [{ requestId: requests.expired }] });
  });

  it('refuses a malformed period on the command line', async () => {
    const run = await promisify(execFile)(process.execPath, [CLI, 'replay', '--from', 'last tuesday'], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME },
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: { code: number; stderr: string }) => error,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('--from and --to must be ISO dates');
  });

  async function api(orderId: string) {
    const order = await prisma().order.findUniqueOrThrow({ where: { id: orderId } });
    const response = await t.desk.server.inject({
      method: 'GET',
      url: `/v1/products/${order.productId}/refund-policy`,
      headers: { authorization: `Bearer ${t.desk.config.platform.apiKey}` },
    });
    return response.json() as { policy: { id: string; version: number } };
  }
});
