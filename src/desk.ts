// Composition root: builds every resource from the configuration, in order, and closes them in
// reverse. Nothing else constructs clients or pools.
import type { FastifyInstance } from 'fastify';
import { buildServer } from './api/server.ts';
import { createCache, type Cache } from './cache/index.ts';
import type { Config } from './config.ts';
import { createLogger, type Logger } from './logger.ts';
import { createMetrics, type Metrics } from './metrics.ts';
import { openDatabase, type Database } from './store/database.ts';
import { migrate } from './store/migrator.ts';

export interface Desk {
  config: Config;
  log: Logger;
  db: Database;
  cache: Cache;
  metrics: Metrics;
  server: FastifyInstance;
  /** Starts listening; resolves to the base URL. */
  listen(): Promise<string>;
  /** Stops accepting requests, lets in-flight ones finish, then closes pools. Idempotent. */
  close(): Promise<void>;
}

export interface DeskOptions {
  log?: Logger;
  /** Tests create many desks in one process; default process metrics may be registered once only. */
  defaultMetrics?: boolean;
}

export async function createDesk(config: Config, options: DeskOptions = {}): Promise<Desk> {
  const log = options.log ?? createLogger(config.logLevel);
  const db = await openDatabase(config.database);
  let cache: Cache | undefined;
  try {
    const migrations = await migrate(db.sql);
    if (migrations.applied.length > 0) log.info({ applied: migrations.applied }, 'database migrated');
    cache = createCache(config.redis);
    const metrics = createMetrics({ defaultMetrics: options.defaultMetrics ?? true });
    const server = await buildServer({ config, db, cache, metrics, log });
    let closing: Promise<void> | undefined;
    const desk: Desk = {
      config,
      log,
      db,
      cache,
      metrics,
      server,
      async listen() {
        return server.listen({ host: config.host, port: config.port });
      },
      close() {
        closing ??= (async () => {
          await server.close();
          await cache!.close();
          await db.close();
        })();
        return closing;
      },
    };
    return desk;
  } catch (error) {
    await cache?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw error;
  }
}
