// fast-check: random seeds locally (so each run explores new cases), a fixed seed in CI (so a run is
// reproducible and a submission never fails by chance). FC_SEED replays a failing local run.
import fc from 'fast-check';

const seed = process.env.FC_SEED ? Number(process.env.FC_SEED) : process.env.CI ? 20261125 : undefined;
if (seed !== undefined) fc.configureGlobal({ seed });
