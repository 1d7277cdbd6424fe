import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
} from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { tenantConsumerOf } from '@refinery/contracts';

/**
 * The tenant's subscriber reads its completed records through a durable that ingestion makes,
 * as a pull consumer, when the tenant is created: the subscriber may pull and ack but not
 * create it, because the server would let it make a push consumer delivering anywhere.
 */
export async function ensureTenantConsumers(nc: NatsConnection, tenant: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  const { stream, durable, filterSubject } = tenantConsumerOf(tenant);
  try {
    await jsm.consumers.info(stream, durable);
    return;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound))
      throw error;
  }
  await jsm.consumers.add(stream, {
    durable_name: durable,
    filter_subject: filterSubject,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
  });
}
