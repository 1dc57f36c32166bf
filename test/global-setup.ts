// Before the run: drop throwaway databases that an earlier, interrupted run left behind (older than
// an hour, so a run going on beside this one keeps its own).
import pg from 'pg';

export default async function setup(): Promise<void> {
  const url = process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres';
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
  try {
    await client.connect();
  } catch {
    return; // No PostgreSQL: the suites that need it skip (or fail under REQUIRE_SERVICES=1).
  }
  try {
    const { rows } = await client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'rd\\_test\\_%'`);
    const hourAgo = Date.now() - 3_600_000;
    for (const { datname } of rows) {
      const stamp = parseInt(datname.split('_')[2] ?? '', 36);
      if (Number.isFinite(stamp) && stamp < hourAgo) {
        await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`).catch(() => undefined);
      }
    }
  } finally {
    await client.end();
  }
}
