#!/usr/bin/env node
// The `refund-desk` command line straight from src/ through tsx, without a build: for development
// (`npm run dev`, `npm run desk:dev -- <command>`), the tests and the load suites, which exercise the
// sources as they are. Production runs the compiled desk (scripts/refund-desk.mjs).
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
