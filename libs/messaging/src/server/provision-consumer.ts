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
 * A changed filter subject is updated in place (NATS 2.9 allows it): the durable keeps its
 * position, so narrowing its filter skips nothing it had not finished of what it still reads.
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
    const existing =
      (await currentInfo(jsm, options.stream, options.durable)) ??
      (await create(jsm, options, wanted));
    if (!existing) return;
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

/**
 * Makes the durable. Undefined once made; the consumer's info when another replica made it
 * first (with a start of its own, which stands) and it is to be brought to the options.
 */
async function create(
  jsm: JetStreamManager,
  options: ResolvedConsumerOptions,
  wanted: Partial<ConsumerConfig>,
): Promise<ConsumerInfo | undefined> {
  try {
    await jsm.consumers.add(options.stream, {
      ...wanted,
      durable_name: options.durable,
      ack_policy: AckPolicy.Explicit,
      ...(await startOf(jsm, options)),
    });
    return undefined;
  } catch (error) {
    const made = await currentInfo(jsm, options.stream, options.durable);
    if (made) return made;
    throw error;
  }
}

/**
 * Where a new durable starts. A consumer created after messages arrived must still see them:
 * from the start of the stream, or, when it takes over from another durable, after the last
 * message that one had acknowledged with everything before it.
 */
async function startOf(
  jsm: JetStreamManager,
  options: ResolvedConsumerOptions,
): Promise<Partial<ConsumerConfig>> {
  const previous = options.takesOverFrom
    ? await currentInfo(jsm, options.stream, options.takesOverFrom)
    : undefined;
  const floor = previous?.ack_floor.stream_seq ?? 0;
  if (floor === 0) return { deliver_policy: DeliverPolicy.All };
  return { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: floor + 1 };
}

async function currentInfo(
  jsm: JetStreamManager,
  stream: string,
  durable: string,
): Promise<ConsumerInfo | undefined> {
  try {
    return await jsm.consumers.info(stream, durable);
  } catch (error) {
    if (error instanceof JetStreamApiError && error.code === JetStreamApiCodes.ConsumerNotFound)
      return undefined;
    throw error;
  }
}
