// Seeds the demo shop once, through the same validation and event path as the platform's events.
import { applyPlatformEvent } from '../events/index.ts';
import { platformEventSchema, type PlatformEvent } from '../events/index.ts';
import type { PrismaClient } from '../store/index.ts';
import { demoShopEvents, scenarioEvents } from './demo-shop.ts';

const SEEDED_KEY = 'demo_seeded_at';

export interface SeedResult {
  seeded: boolean;
  applied: number;
  seededAt: Date;
}

async function applyAll(prisma: PrismaClient, events: PlatformEvent[]): Promise<number> {
  let applied = 0;
  for (const raw of events) {
    const event = platformEventSchema.parse(raw);
    if ((await applyPlatformEvent(prisma, event)).status === 'applied') applied += 1;
  }
  return applied;
}

/** Seeds the demo shop unless it already was. Safe to run concurrently and after a crash mid-way. */
export async function seedDemoShop(prisma: PrismaClient, now = new Date()): Promise<SeedResult> {
  const marker = await prisma.appMeta.findUnique({ where: { key: SEEDED_KEY } });
  if (marker) return { seeded: false, applied: 0, seededAt: new Date(marker.value) };
  const applied = await applyAll(prisma, demoShopEvents(now));
  await prisma.appMeta.upsert({
    where: { key: SEEDED_KEY },
    create: { key: SEEDED_KEY, value: now.toISOString() },
    update: {},
  });
  return { seeded: true, applied, seededAt: now };
}

/** Adds a fresh set of scenario orders (ids suffixed with the time) so the scenarios can be replayed. */
export async function addFreshScenarioOrders(prisma: PrismaClient, now = new Date()): Promise<{ suffix: string; applied: number }> {
  const suffix = `_${now.toISOString().replace(/\D/g, '').slice(0, 14)}`;
  return { suffix, applied: await applyAll(prisma, scenarioEvents(now, suffix)) };
}
