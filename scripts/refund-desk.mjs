#!/usr/bin/env node
// The `refund-desk` executable: runs the compiled desk (dist/cli.js, from `npm run build`) with
// plain node: no TypeScript loader at run time. `npm start` and `npm run desk` build dist/ first
// when it is missing or stale; scripts/refund-desk-dev.mjs runs src/ through tsx instead (tests,
// development).
import { buildState } from './build-state.mjs';

const state = buildState();
if (!state.built) {
  process.stderr.write('refund-desk: dist/ is not built: run `npm run build` (`npm start` builds it when needed)\n');
  process.exit(1);
}
if (state.stale) {
  process.stderr.write(
    `refund-desk: warning: dist/ (built ${state.info.builtAt}) is not a build of src/ as it is now; \`npm run build\` rebuilds it\n`,
  );
}
await import('../dist/cli.js');
