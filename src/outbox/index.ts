// The outbox module's entry: what other modules may use of it (test/unit/architecture.test.ts).
export { enqueue, OutboxDispatcher, type OutboxItem, PermanentDeliveryError, RetryLaterError } from './outbox.ts';
