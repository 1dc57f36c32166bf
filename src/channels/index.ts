// The channels module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { type Backoff, ChannelStarter } from './channel-starter.ts';
