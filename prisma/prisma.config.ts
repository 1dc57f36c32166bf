// Prisma CLI configuration (Prisma 7 reads connection URLs from here, not from schema.prisma).
// The desk itself never uses the CLI at run time: src/store/ builds the client with a driver adapter
// and src/store/migrator.ts applies prisma/migrations. See README "Database migrations".
import { defineConfig } from 'prisma/config';

export default defineConfig({
  schema: 'schema.prisma',
  migrations: { path: 'migrations' },
  datasource: { url: process.env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres' },
});
