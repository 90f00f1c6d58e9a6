export {
  type DispatcherOptions,
  type DomainEvent,
  EventDispatcher,
  type EventHandler,
  type OutboxStatus,
  type OutgoingEvent,
  outboxInsert,
  outboxStatus,
} from './outbox.js';
