// The events module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { applyPlatformEvent } from './apply-event.ts';
export { deviceSchema, type PlatformEvent, platformEventSchema } from './event-schemas.ts';
