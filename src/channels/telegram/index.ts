// The channels/telegram module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { TelegramChannel } from './telegram-channel.ts';
