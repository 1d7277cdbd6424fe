import { jetstream } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { subjectOf, type EventPayload } from '@refinery/contracts';
import { lastMessage } from '@refinery/testing';

import type { LivePrometheus } from './live-prometheus';

/** Where the services the demo talks to listen: the launcher's ports, not the manifest's. */
export interface DemoUrls {
  ingestion: string;
  qualityMonitor: string;
  learning: string;
}

/**
 * Classified below the confidence threshold by the local model (0.43): with
 * ENRICHMENT_LOW_CONFIDENCE_RETRY=always it is nak'd, retried, then sent for review.
 */
const LOW_CONFIDENCE_DESCRIPTION = 'arrived late, charged twice';

function exception(description: string) {
  return {
    type: 'exception',
    source: 'launcher-test',
    external_id: `x-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`,
    occurred_at: new Date().toISOString(),
    data: { order_number: 'EU-1', description },
  };
}

/**
 * Validation rules the demo runs: one on a table, run on demand, and one on exception
 * payloads, which the demo's records break (their order numbers are not `ORD-…`).
 */
const DEMO_RULES = [
  {
    name: 'launcher-test.records-external-id',
    type: 'not_null',
    table: 'ingestion.records',
    column: 'external_id',
    severity: 'warning',
  },
  {
    name: 'launcher-test.order-number-format',
    type: 'regex',
    table: 'payload',
    record_type: 'exception',
    column: 'order_number',
    pattern: '^ORD-',
    severity: 'info',
  },
];

/** Removes the demo's rules: the payload rule would judge every test's exceptions. */
export async function removeDemoRules(urls: DemoUrls, operatorKey: string): Promise<void> {
  for (const rule of DEMO_RULES) {
    await fetch(`${urls.qualityMonitor}/api/quality/rules/${rule.name}`, {
      method: 'DELETE',
      headers: { 'x-api-key': operatorKey },
    });
  }
}

/** A message the traffic left in a stream, to delete once it has been consumed. */
export interface Published {
  stream: string;
  seq: number;
}

/** A request and the status it should get; the answer is filled in. */
interface Exchange {
  request: string;
  expected: number;
  status?: number;
}

async function call(exchange: Exchange, init?: RequestInit): Promise<Exchange> {
  const [method, url] = exchange.request.split(' ');
  const res = await fetch(url, { method, ...init });
  await res.arrayBuffer();
  return { ...exchange, status: res.status };
}

/**
 * What a demo tenant's day holds besides good records, so every series the dashboards and
 * alerts read exists: an invalid HTTP event, a malformed NATS ingest message (rejected), a
 * low-confidence record (nak'd, retried, reviewed), records.received messages that break
 * their schema (dead-lettered twice, a scrape apart, so the dead-letter alert sees an
 * increase), and reads of the quality monitor's API, one of them bad. Each malformed record
 * goes into `published` for the test to delete: the demo consumers are made anew every run and
 * would read it again. Returns the requests that were not answered as expected.
 */
export async function driveDemoTraffic(
  urls: DemoUrls,
  apiKey: string,
  operatorKey: string,
  nc: NatsConnection,
  prometheus: LivePrometheus,
  published: Published[],
): Promise<string[]> {
  const js = jetstream(nc);
  await removeDemoRules(urls, operatorKey);
  const json = (body: unknown) => ({
    headers: { 'content-type': 'application/json', 'x-api-key': operatorKey },
    body: JSON.stringify(body),
  });
  const read = { headers: { 'x-api-key': apiKey } };
  const rules = `POST ${urls.qualityMonitor}/api/quality/rules`;
  const created = await Promise.all(
    DEMO_RULES.map((rule) => call({ request: rules, expected: 201 }, json(rule))),
  );
  const malformedRecord = async () => {
    const ack = await js.publish(
      subjectOf('records.received', { tenant: 'demo', type: 'exception' }),
      JSON.stringify({ launcher_test: 'not a records.received event' }),
    );
    published.push({ stream: ack.stream, seq: ack.seq });
  };
  await malformedRecord();
  await js.publish(subjectOf('ingest', { tenant: 'demo', type: 'exception' }), '{ not json');
  const ingest = (body: unknown) => ({
    headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
    body: JSON.stringify(body),
  });
  const events = `POST ${urls.ingestion}/v1/events`;
  const quality = `GET ${urls.qualityMonitor}/api/enrichment`;
  const answers = await Promise.all([
    call({ request: events, expected: 202 }, ingest(exception(LOW_CONFIDENCE_DESCRIPTION))),
    call({ request: events, expected: 400 }, ingest({ ...exception('no order'), data: {} })),
    call({ request: `${quality}/report/demo`, expected: 200 }, read),
    call({ request: `${quality}/health/demo`, expected: 200 }, read),
    call({ request: `${quality}/backlog/demo`, expected: 200 }, read),
    call({ request: `${quality}/report/Not%20a%20tenant`, expected: 404 }, read),
  ]);
  // A reviewer's thumbs-down on the latest enriched record: learning's feedback series.
  const completed = await lastMessage<EventPayload<'enrichment.completed'>>(
    nc,
    'ENRICHMENT',
    subjectOf('enrichment.completed', { tenant: 'demo' }),
  );
  const feedback = await call(
    { request: `POST ${urls.learning}/api/feedback/rating`, expected: 201 },
    ingest({ record_id: completed?.data.record_id, feedback_type: 'thumbs_down', reason: 'demo' }),
  );
  const ran = await call(
    {
      request: `POST ${urls.qualityMonitor}/api/quality/rules/run?rule=${DEMO_RULES[0].name}`,
      expected: 200,
    },
    { headers: { 'x-api-key': operatorKey } },
  );
  await prometheus.waitForSeries('refinery_messages_dead_lettered_total', 15_000);
  await malformedRecord();
  return [...created, ran, feedback, ...answers]
    .filter((a) => a.status !== a.expected)
    .map((a) => `${a.request} answered ${a.status}, expected ${a.expected}`);
}
