import {
  AckPolicy,
  DeliverPolicy,
  JetStreamApiCodes,
  JetStreamApiError,
  type ConsumerConfig,
  type ConsumerInfo,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { nanos } from '@nats-io/transport-node';
import type { ResolvedConsumerOptions } from '../consumer/consumer-options';

/**
 * Creates the durable pull consumer or brings it to the options; safe on every start and
 * from every replica. Deliveries are unlimited: the server never drops a message silently,
 * the processor dead-letters it after the last attempt, even when that attempt crashed.
 */
export async function provisionConsumer(
  jsm: JetStreamManager,
  options: ResolvedConsumerOptions,
): Promise<void> {
  const wanted = {
    ack_wait: nanos(options.ackWaitMs),
    max_deliver: -1,
    filter_subject: options.filterSubject,
  } satisfies Partial<ConsumerConfig>;
  const where = `consumer ${options.durable} on stream ${options.stream}`;
  try {
    const existing = await currentInfo(jsm, options);
    if (!existing) {
      await jsm.consumers.add(options.stream, {
        ...wanted,
        durable_name: options.durable,
        ack_policy: AckPolicy.Explicit,
        // A consumer created after messages arrived must still see them.
        deliver_policy: DeliverPolicy.All,
      });
      return;
    }
    const config = existing.config;
    if (config.deliver_subject)
      throw new Error(
        'it exists as a push consumer; delete it to let it be recreated as a pull consumer',
      );
    if (config.ack_policy !== AckPolicy.Explicit)
      throw new Error(`it exists with ack policy "${config.ack_policy}"; delete it to recreate it`);
    if (
      config.ack_wait !== wanted.ack_wait ||
      config.max_deliver !== wanted.max_deliver ||
      config.filter_subject !== wanted.filter_subject
    ) {
      await jsm.consumers.update(options.stream, options.durable, wanted);
    }
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new Error(`cannot provision ${where}: ${reason}`, { cause: error });
  }
}

async function currentInfo(
  jsm: JetStreamManager,
  options: ResolvedConsumerOptions,
): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(options.stream, options.durable);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
      return undefined;
    throw error;
  }
}
