/**
 * `npm run bench:ingest`: ingestion throughput against the raw JetStream publish rate,
 * measured in the same run on the same machine. The service runs as its own process, as
 * in production; the last line printed is one JSON object.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import { eventOf, filterOf, subjectOf, type EventPayload } from '@refinery/contracts';
import { connectNats, JetStreamPublisher } from '@refinery/messaging';
import { countMessages, eventually, freePort, startNatsServer } from '@refinery/testing';
import {
  createTenant,
  freshDatabase,
  log,
  median,
  rate,
  sendBatches as send,
  startProcess,
} from './support';

const BATCH = 500;
const ROUNDS = 3;
const HTTP_BATCHES = Number(process.env.BENCH_HTTP_BATCHES ?? 80);
/** Untimed batches first, so the figure is of compiled code, not of the JIT warming up. */
const WARMUP_BATCHES = 20;
const HTTP_CONCURRENCY = Number(process.env.BENCH_HTTP_CONCURRENCY ?? 4);
const NATS_EVENTS = Number(process.env.BENCH_NATS_EVENTS ?? 20_000);
const RAW_MESSAGES = Number(process.env.BENCH_RAW_MESSAGES ?? 20_000);
const DATABASE = 'refinery_bench';
const run = randomBytes(4).toString('hex');
// A tenant of its own per run, on a nats-server of the run's own (see main): no bench record
// reaches a platform running beside it, and the platform's traffic does not skew the figures.
const tenant = `bench-${run}`;
const received = filterOf('records.received', { tenant });

const event = (i: number) => ({
  type: 'order',
  source: 'bench',
  external_id: `${run}-${i}`,
  occurred_at: new Date().toISOString(),
  data: {
    order_number: `B-${i}`,
    customer: { id: `c-${i % 1000}`, email: 'bench@example.com' },
    items: [
      { sku: 'SKU-1', quantity: 1, unit_price: 10 },
      { sku: 'SKU-2', quantity: 3, unit_price: 4.5 },
    ],
    currency: 'EUR',
    total: 23.5,
    status: 'paid',
    shipping: { carrier: 'DHL', country: 'DE' },
  },
});

const sendBatches = (url: string, bodies: string[], apiKey: string) =>
  send(url, bodies, apiKey, HTTP_CONCURRENCY);

async function main() {
  await freshDatabase(DATABASE, ['ingestion']);
  const nats = await startNatsServer();
  // The service and the bench's clients: the run's own server, never the machine's.
  process.env.NATS_URL = nats.url;
  // The service's own connection settings, so the raw figure is like for like.
  const nc = await connectNats({ servers: nats.url, name: 'bench' });
  const js = jetstream(nc);

  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const service = await startProcess('dist/services/ingestion/src/main.js', port, {
    DATABASE_NAME: DATABASE,
  });
  try {
    const apiKey = await createTenant(tenant);

    // What a records.received publish carries, for like-for-like raw publishes.
    const recordId = randomUUID();
    const at = new Date().toISOString();
    const data = {
      record_type: 'order',
      source: 'bench',
      external_id: `${run}-0`,
      received_at: at,
      payload: event(0).data,
    } as EventPayload<'records.received'>['data'];
    const fields = { id: `${recordId}:received`, tenant, occurred_at: at, record_id: recordId };
    const sample = eventOf('records.received', { ...fields, data }, { type: 'order' }).payload;
    // Bodies are built up front: the client's own work is not what is measured.
    const bodies = Array.from({ length: WARMUP_BATCHES + ROUNDS * HTTP_BATCHES }, (_, b) =>
      JSON.stringify({ events: Array.from({ length: BATCH }, (_, i) => event(b * BATCH + i)) }),
    );
    await sendBatches(url, bodies.slice(0, WARMUP_BATCHES), apiKey);

    // Raw and HTTP runs alternate, and the medians are reported: on a 2-core machine the
    // figures drift by a fifth from one second to the next.
    const rounds: { raw: number; pipelined: number; http: number }[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      const { raw, pipelined } = await rawPublishRates(nc, sample, round);
      const from = WARMUP_BATCHES + round * HTTP_BATCHES;
      const before = await countMessages(nc, 'RECORDS', received);
      const started = Date.now();
      await sendBatches(url, bodies.slice(from, from + HTTP_BATCHES), apiKey);
      const http = rate(HTTP_BATCHES * BATCH, Date.now() - started);
      const published = (await countMessages(nc, 'RECORDS', received)) - before;
      if (published !== HTTP_BATCHES * BATCH)
        throw new Error(
          `round ${round}: ${published} records.received for ${HTTP_BATCHES * BATCH} events`,
        );
      log(
        `round ${round + 1}: raw ${raw} msg/s, publisher alone ${pipelined} msg/s, HTTP ${http} events/s (${((http / raw) * 100).toFixed(0)}%)`,
      );
      rounds.push({ raw, pipelined, http });
    }
    const raw = median(rounds.map((r) => r.raw));
    const pipelined = median(rounds.map((r) => r.pipelined));
    const http = median(rounds.map((r) => r.http));
    const size = JSON.stringify(sample).length;
    log(
      `raw JetStream: ${raw} msg/s (median; ${RAW_MESSAGES} plain acked js.publish calls of ${size} bytes, ${BATCH} in flight)`,
    );
    log(
      `JetStreamPublisher.publishMany alone: ${pipelined} msg/s (median; same messages, batches of ${BATCH})`,
    );
    log(
      `HTTP batches: ${http} events/s (median; ${HTTP_BATCHES} x ${BATCH} events stored and published per round)`,
    );

    const natsStart = Date.now();
    const baseline = await countMessages(nc, 'RECORDS', received);
    for (let i = 0; i < NATS_EVENTS; i += BATCH) {
      const acks = [];
      for (let j = i; j < Math.min(i + BATCH, NATS_EVENTS); j++) {
        const { type: _type, ...body } = event(1_000_000 + j);
        acks.push(js.publish(subjectOf('ingest', { tenant, type: 'order' }), JSON.stringify(body)));
      }
      await Promise.all(acks);
    }
    await eventually(
      async () => (await countMessages(nc, 'RECORDS', received)) - baseline >= NATS_EVENTS,
      120_000,
      100,
    );
    const natsMs = Date.now() - natsStart;
    const nats = rate(NATS_EVENTS, natsMs);
    log(
      `NATS way in: ${nats} events/s (${NATS_EVENTS} ingest messages to records.received in ${natsMs} ms)`,
    );
    log(
      `HTTP batch ingestion is ${((http / raw) * 100).toFixed(0)}% of the raw JetStream publish rate (target: at least 50%), ` +
        `${((http / pipelined) * 100).toFixed(0)}% of what its publisher alone achieves`,
    );
    console.log(
      JSON.stringify({
        http_batch_events_per_s: http,
        nats_events_per_s: nats,
        raw_jetstream_publish_per_s: raw,
        publisher_batch_per_s: pipelined,
      }),
    );
  } finally {
    service.kill('SIGTERM');
    const jsm = await jetstreamManager(nc);
    await jsm.streams.purge('RECORDS', { filter: received });
    await jsm.streams.purge('INGEST', { filter: filterOf('ingest', { tenant }) });
    await nc.close();
    await nats.stop();
  }
}

/**
 * Into RECORDS, like ingestion's publishes: plain acked `js.publish` calls (the client's standard API), then
 * the same messages through the JetStreamPublisher that ingestion uses, without HTTP or SQL.
 */
async function rawPublishRates(
  nc: NatsConnection,
  payload: object,
  round: number,
): Promise<{ raw: number; pipelined: number }> {
  const jsm = await jetstreamManager(nc);
  // The stream ingestion publishes into, under the run's tenant (purged at the end).
  const subject = (kind: string) => subjectOf('records.received', { tenant, type: kind });
  const js = jetstream(nc);
  const body = JSON.stringify(payload);
  try {
    let started = Date.now();
    for (let i = 0; i < RAW_MESSAGES; i += BATCH) {
      const acks = [];
      for (let j = i; j < Math.min(i + BATCH, RAW_MESSAGES); j++)
        acks.push(js.publish(subject('raw'), body, { msgID: `raw-${run}-${round}-${j}` }));
      await Promise.all(acks);
    }
    const raw = rate(RAW_MESSAGES, Date.now() - started);

    const publisher = new JetStreamPublisher(nc);
    started = Date.now();
    for (let i = 0; i < RAW_MESSAGES; i += BATCH) {
      const items = Array.from({ length: Math.min(BATCH, RAW_MESSAGES - i) }, (_, k) => ({
        subject: subject('pipelined'),
        payload,
        msgId: `pipelined-${run}-${round}-${i + k}`,
      }));
      await publisher.publishMany(items);
    }
    return { raw, pipelined: rate(RAW_MESSAGES, Date.now() - started) };
  } finally {
    for (const kind of ['raw', 'pipelined'])
      await jsm.streams.purge('RECORDS', { filter: subject(kind) });
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
