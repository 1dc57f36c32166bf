// The usage module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { summarizeUsage, UsageService } from './usage-facts.ts';
