import { eventOf, type BehaviorEvent } from '@refinery/contracts';
import type { PublishItem } from '@refinery/messaging';
import type { TenantRef } from '@refinery/runtime';

/** Room left in a message for its headers: the msg id and the trace context. */
const HEADER_ROOM = 1024;

/**
 * The message of an accepted call. Its envelope id is `behavior:<message_id>`, as the contract
 * says; its Nats-Msg-Id carries the tenant too, since JetStream drops duplicates across the
 * whole stream: one tenant's message ids must never make another tenant's events vanish.
 */
export function behaviorMessageOf(tenant: TenantRef, event: BehaviorEvent): PublishItem {
  const message = eventOf(
    'records.behavior',
    {
      id: `behavior:${event.message_id}`,
      tenant: tenant.slug,
      occurred_at: event.timestamp,
      record_id: null,
      data: event,
    },
    { kind: event.kind },
  );
  return { ...message, msgId: `behavior:${tenant.slug}:${event.message_id}` };
}

/** Whether the message, with its headers, is more than the bus takes in one message. */
export const tooLargeToPublish = (message: PublishItem, maxPayload: number): boolean =>
  Buffer.byteLength(JSON.stringify(message.payload)) + HEADER_ROOM > maxPayload;
