// The digests module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { DigestService } from './digest-service.ts';
export { merchantReport } from './report.ts';
