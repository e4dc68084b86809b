import { Global, Module } from '@nestjs/common';
import { EventBus } from './event-bus.js';
import { EventQueue } from './event-queue.js';
import { OutboxRelay } from './outbox-relay.js';
import { OUTBOX_SETTINGS, outboxSettings } from './outbox-settings.js';
import { OutboxStore } from './outbox-store.js';

@Global()
@Module({
  providers: [{ provide: OUTBOX_SETTINGS, useFactory: () => outboxSettings() }, OutboxStore, EventQueue, EventBus, OutboxRelay],
  exports: [EventBus, OutboxRelay],
})
export class EventsModule {}
