// The channels/slack module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { SlackDesk } from './slack-desk.ts';
