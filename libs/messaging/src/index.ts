export { connectNats, drainConnection, natsAuthOptions } from './connection/connect-nats';
export type { NatsConnectOptions, NatsCredentials } from './connection/connect-nats';
export { natsReadinessCheck } from './connection/nats-readiness';
export {
  automaticReplicas,
  ensureStreams,
  DUPLICATE_WINDOW_MS,
  MAX_AUTO_REPLICAS,
} from './streams/ensure-streams';
export type { EnsureStreamsOptions, ReplicaChoice } from './streams/ensure-streams';
export { DEFAULT_ACK_WAIT_MS, DEFAULT_RETRY } from './consumer/consumer-options';
export type { ConsumerOptions } from './consumer/consumer-options';
export {
  consumeThrough,
  JetStreamConsumer,
  JETSTREAM_TRANSPORT,
} from './consumer/jetstream-consumer.decorator';
export type { InboundMessage } from './consumer/inbound-message';
export { batchOutcome } from './consumer/batch-outcome';
export type { BatchOutcome, FailedMessage } from './consumer/batch-outcome';
export { attemptsOf, isLastAttempt } from './consumer/retry-schedule';
export { JetStreamContext } from './consumer/jetstream.context';
export { NonRetryableError, isNonRetryable } from './consumer/non-retryable.error';
export { isTransientFailure } from './consumer/transient-failure';
export { RpcErrorPassthroughFilter } from './consumer/rpc-error-passthrough.filter';
export { DLQ_HEADERS } from './consumer/dead-letter';
export {
  DeadLetterQueue,
  deadLetterOf,
  DEAD_LETTER_REASONS,
  DLQ_STREAM,
} from './dlq/dead-letter-queue';
export type { DeadLetterEntry, DeadLetterScan } from './dlq/dead-letter-queue';
export {
  isReplayFor,
  REPLAY_HEADERS,
  replayHeaders,
  replayMsgId,
  replayOf,
} from './dlq/replay-headers';
export type { ReplayMark } from './dlq/replay-headers';
export type { DeadLetterReason } from './consumer/retry-schedule';
export { JetStreamServer } from './server/jetstream.server';
export type { JetStreamServerOptions } from './server/jetstream.server';
export { JetStreamPublisher } from './publisher/jetstream.publisher';
export type { PublishItem, PublishOptions } from './publisher/jetstream.publisher';
export { JetStreamClient } from './publisher/jetstream.client';
export { JetStreamRecord } from './publisher/jetstream-record';
export { MessagingModule, createJetStreamServer } from './module/messaging.module';
export type { MessagingOptions } from './module/messaging.module';
export { NATS_CONNECTION } from './module/tokens';
