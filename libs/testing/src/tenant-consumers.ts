import { jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';

/**
 * Deletes the durable consumers services made for one tenant (named `<name>_<tenant>`), which
 * outlive a service process a test started and stopped.
 */
export async function deleteTenantConsumers(nc: NatsConnection, tenant: string): Promise<void> {
  const jsm = await jetstreamManager(nc);
  for await (const stream of jsm.streams.list()) {
    for await (const consumer of jsm.consumers.list(stream.config.name)) {
      if (consumer.name.endsWith(`_${tenant}`))
        await jsm.consumers.delete(stream.config.name, consumer.name).catch(() => false);
    }
  }
}
