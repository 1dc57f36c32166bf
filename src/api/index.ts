// The api module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { buildServer } from './server.ts';
