// The channels/widget module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export type { SocketCaps } from './socket-caps.ts';
export { WidgetChannel } from './widget-channel.ts';
export { MAX_FRAME_BYTES } from './widget-protocol.ts';
export { WidgetSessions } from './widget-sessions.ts';
