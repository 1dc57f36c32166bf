// npm run desk:first-answer — how long the first buyer waits after a start, against the next ones:
// a desk on PGlite in a temporary folder with the demo shop, started as `refund-desk start` would
// (listen() loads the NLU model first), then the same kind of message sent five times in new chats.
// Prints the start-up time and each answer's time. With --cold the model is trained, not loaded.
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { loadConfig } from '../src/config.ts';
import { DEMO } from '../src/demo/demo-shop.ts';
import { seedDemoShop } from '../src/demo/seed-demo.ts';
import { createDesk } from '../src/desk.ts';
import { NluClassifier } from '../src/nlu/classifier.ts';

const dataDir = await fs.mkdtemp(path.join(os.tmpdir(), 'refund-desk-first-answer-'));
try {
  // A desk that has run before has its model cached in DATA_DIR/nlu; --cold starts without one.
  if (!process.argv.includes('--cold')) await NluClassifier.create({ dataDir });
  const config = loadConfig({
    NODE_ENV: 'development',
    PORT: '0',
    DATA_DIR: dataDir,
    DEMO_SEED: 'off',
    LOG_LEVEL: 'warn',
    PLATFORM_WEBHOOK_SECRET: 'first-answer-secret-0123456789',
    PLATFORM_API_KEY: 'first-answer-api-key-0123456789',
    CHAT_TOKEN_SECRET: 'first-answer-chat-secret-0123456789',
  });
  const desk = await createDesk(config, { defaultMetrics: false });
  await seedDemoShop(desk.db.prisma);
  const started = performance.now();
  await desk.listen();
  console.log(
    `listen() until ready: ${(performance.now() - started).toFixed(0)} ms (${process.argv.includes('--cold') ? 'model trained' : 'model loaded from DATA_DIR'})`,
  );
  for (let i = 1; i <= 5; i += 1) {
    const t0 = performance.now();
    await desk.dialogue.handle({
      channel: 'widget',
      chatId: `first-answer-${i}`,
      deliveryId: '1',
      buyerId: DEMO.buyers.buyer,
      localeHint: 'zh',
      text: i % 2 ? '我要退款' : 'I want a refund',
    });
    console.log(`answer ${i}: ${(performance.now() - t0).toFixed(1)} ms`);
  }
  await desk.close();
} finally {
  await fs.rm(dataDir, { recursive: true, force: true });
}
