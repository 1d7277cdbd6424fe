import type { INestApplication } from '@nestjs/common';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { context, propagation, SpanKind, trace } from '@opentelemetry/api';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  TracerProvider,
} from '@opentelemetry/sdk-trace';
import { JetStreamPublisher, type InboundMessage } from '../src';
import { consumerController, startConsumerApp } from './support/consumer-app';
import { eventually } from './support/eventually';
import { NatsFixture } from './support/nats-fixture';

const exporter = new InMemorySpanExporter();
const provider = new TracerProvider({ spanProcessors: [new SimpleSpanProcessor({ exporter })] });
let fixture: NatsFixture;
let app: INestApplication;

beforeAll(() => {
  trace.setGlobalTracerProvider(provider);
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
});

afterAll(async () => {
  await provider.shutdown();
  trace.disable();
  context.disable();
  propagation.disable();
});

beforeEach(async () => {
  fixture = await NatsFixture.create();
});

afterEach(async () => {
  await app.close();
  await fixture.close();
});

it('continues the trace across two hops: upstream -> stage 1 -> stage 2', async () => {
  const seen: { stage: string; activeTraceId?: string }[] = [];
  const stage1 = {
    durable: 'stage1',
    stream: fixture.stream.name,
    filterSubject: fixture.subject('received', '*'),
  };
  const stage2 = {
    durable: 'stage2',
    stream: fixture.stream.name,
    filterSubject: fixture.subject('stage1-done', '*'),
  };
  app = await startConsumerApp(fixture, [
    consumerController(stage1, async (message: InboundMessage<{ id: string }>) => {
      seen.push({ stage: 'stage1', activeTraceId: trace.getActiveSpan()?.spanContext().traceId });
      await app
        .get(JetStreamPublisher)
        .publish(
          fixture.subject('stage1-done', 'acme'),
          { id: message.data.id },
          { msgId: `${message.data.id}:stage1`, context: message.traceContext },
        );
    }),
    consumerController(stage2, () => {
      seen.push({ stage: 'stage2', activeTraceId: trace.getActiveSpan()?.spanContext().traceId });
    }),
  ]);
  const publisher = app.get(JetStreamPublisher);

  const upstreamTraceId = await trace
    .getTracer('test')
    .startActiveSpan('upstream request', async (span) => {
      await publisher.publish(fixture.subject('received', 'acme'), { id: 'r-1' }, { msgId: 'r-1' });
      span.end();
      return span.spanContext().traceId;
    });

  await eventually(() => seen.length === 2);
  expect(seen).toEqual([
    { stage: 'stage1', activeTraceId: upstreamTraceId },
    { stage: 'stage2', activeTraceId: upstreamTraceId },
  ]);

  const spans = exporter
    .getFinishedSpans()
    .filter((s) => s.spanContext().traceId === upstreamTraceId);
  const consumer = spans.find(
    (s) =>
      s.kind === SpanKind.CONSUMER && s.attributes['messaging.consumer.group.name'] === 'stage1',
  );
  expect(consumer?.attributes).toMatchObject({
    'messaging.system': 'nats',
    'messaging.operation': 'process',
    'messaging.destination.name': fixture.subject('received', 'acme'),
    'messaging.nats.stream': fixture.stream.name,
    'messaging.nats.sequence': 1,
    'messaging.nats.delivery_count': 1,
  });
  const producers = spans.filter((s) => s.kind === SpanKind.PRODUCER);
  expect(producers.map((s) => s.attributes['messaging.destination.name'])).toEqual(
    expect.arrayContaining([
      fixture.subject('received', 'acme'),
      fixture.subject('stage1-done', 'acme'),
    ]),
  );
});

it('runs a batch handler inside a batch span linked to every message it handles', async () => {
  let activeSpanId: string | undefined;
  const options = {
    durable: 'batch',
    stream: fixture.stream.name,
    filterSubject: fixture.subject('many', '*'),
    batchSize: 10,
  };
  const tracer = trace.getTracer('test');
  const upstream = [tracer.startSpan('a'), tracer.startSpan('b')];
  const publisherApp = await startConsumerApp(fixture, []);
  await publisherApp.get(JetStreamPublisher).publishMany(
    upstream.map((span, i) => ({
      subject: fixture.subject('many', 'acme'),
      payload: { i },
      msgId: `m-${i}`,
      context: trace.setSpan(context.active(), span),
    })),
  );
  await publisherApp.close();

  app = await startConsumerApp(fixture, [
    consumerController(options, () => {
      activeSpanId = trace.getActiveSpan()?.spanContext().spanId;
    }),
  ]);

  await eventually(() => activeSpanId);
  const batchSpan = await eventually(() =>
    exporter.getFinishedSpans().find((s) => s.spanContext().spanId === activeSpanId),
  );
  expect(batchSpan.kind).toBe(SpanKind.CONSUMER);
  expect(batchSpan.attributes['messaging.batch.message_count']).toBe(2);
  expect(batchSpan.links.map((l) => l.context.traceId).sort()).toEqual(
    upstream.map((s) => s.spanContext().traceId).sort(),
  );
});
