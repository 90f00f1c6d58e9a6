export {
  type DispatcherOptions,
  type DomainEvent,
  EventDispatcher,
  type EventHandler,
  enqueueEvents,
  type OutboxStatus,
  type OutgoingEvent,
  outboxStatus,
} from './outbox.js';
