#!/usr/bin/env node
// Runs `prisma generate` so that it works on machines that cannot download Prisma's native schema
// engine. The generator never runs that engine, but the CLI insists the file exists; pointing
// PRISMA_SCHEMA_ENGINE_BINARY at any existing file (this script) satisfies it. Where the variable is
// already set, or the download works, this changes nothing that matters.
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const cli = require.resolve('prisma/build/index.js');
const env = { ...process.env };
env.PRISMA_SCHEMA_ENGINE_BINARY ??= fileURLToPath(import.meta.url);
env.PRISMA_HIDE_UPDATE_MESSAGE = '1';
const result = spawnSync(process.execPath, [cli, 'generate', '--config', 'prisma/prisma.config.ts'], { stdio: 'inherit', env });
process.exit(result.status ?? 1);
