import { Counter, Gauge, Histogram, register } from 'prom-client';
import { collectStreamUsage, type StreamFigure } from './stream-usage';

const consumerLabels = ['service', 'consumer', 'subject'] as const;
type ConsumerLabel = (typeof consumerLabels)[number];

// Several servers (and test files) share prom-client's default registry: reuse what is there.
function counter<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
): Counter<L> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Counter) return existing as Counter<L>;
  return new Counter({ name, help, labelNames, registers: [register] });
}

function histogram<L extends string>(
  name: string,
  help: string,
  labelNames: readonly L[],
  buckets: number[],
): Histogram<L> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Histogram) return existing as Histogram<L>;
  return new Histogram({ name, help, labelNames, buckets, registers: [register] });
}

/** A stream's figure, read from JetStream when Prometheus scrapes (see reportStreamUsage). */
function streamGauge(name: string, help: string, figure: StreamFigure): Gauge<'stream'> {
  const existing = register.getSingleMetric(name);
  if (existing instanceof Gauge) return existing as Gauge<'stream'>;
  return new Gauge({
    name,
    help,
    labelNames: ['stream'],
    registers: [register],
    collect: collectStreamUsage(figure),
  });
}

export interface MessagingMetrics {
  consumed: Counter<ConsumerLabel>;
  acked: Counter<ConsumerLabel>;
  nakked: Counter<ConsumerLabel>;
  deadLettered: Counter<ConsumerLabel | 'reason'>;
  handlerDuration: Histogram<'service' | 'consumer'>;
  batchSize: Histogram<'service' | 'consumer'>;
  publishDuration: Histogram<'stream'>;
  streamBytes: Gauge<'stream'>;
  streamMessages: Gauge<'stream'>;
  streamMaxBytes: Gauge<'stream'>;
  streamMaxMessages: Gauge<'stream'>;
}

let metrics: MessagingMetrics | undefined;

/** Labels use the consumer's filter subject, not the message subject, so series stay bounded. */
export function messagingMetrics(): MessagingMetrics {
  metrics ??= {
    consumed: counter(
      'refinery_messages_consumed_total',
      'Messages delivered to a consumer.',
      consumerLabels,
    ),
    acked: counter(
      'refinery_messages_acked_total',
      'Messages acked after their handler succeeded.',
      consumerLabels,
    ),
    nakked: counter(
      'refinery_messages_nakked_total',
      'Messages nakked for a delayed retry.',
      consumerLabels,
    ),
    deadLettered: counter(
      'refinery_messages_dead_lettered_total',
      'Messages copied to the dead-letter queue and terminated.',
      [...consumerLabels, 'reason'],
    ),
    handlerDuration: histogram(
      'refinery_handler_duration_seconds',
      'Time a consumer handler took, per message or per batch.',
      ['service', 'consumer'],
      [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60],
    ),
    batchSize: histogram(
      'refinery_batch_size',
      'Messages handed to a handler at once.',
      ['service', 'consumer'],
      [1, 2, 5, 10, 25, 50, 100, 250, 500, 1000],
    ),
    publishDuration: histogram(
      'refinery_publish_duration_seconds',
      'Time from publish to the JetStream ack.',
      ['stream'],
      [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    ),
    streamBytes: streamGauge('refinery_stream_bytes', 'Bytes a JetStream stream holds.', 'bytes'),
    streamMessages: streamGauge(
      'refinery_stream_messages',
      'Messages a JetStream stream holds.',
      'messages',
    ),
    streamMaxBytes: streamGauge(
      'refinery_stream_max_bytes',
      "The stream's max_bytes; no series when it has none.",
      'maxBytes',
    ),
    streamMaxMessages: streamGauge(
      'refinery_stream_max_messages',
      "The stream's max_msgs; no series when it has none.",
      'maxMessages',
    ),
  };
  return metrics;
}
