/**
 * One hop of the bare pipeline `bench:pipeline` compares against: consume a batch, one
 * multi-row insert, publish, ack, and nothing else. Its rate is the ceiling that the
 * real stages, with their AI calls, state and exactly-once bookkeeping, are measured against.
 * Settings come from the environment: BARE_STREAM, BARE_DURABLE (created by the bench),
 * BARE_TO (the subject it publishes to; empty for an observer, which only stores and acks),
 * BARE_TABLE, BARE_BATCH, DATABASE_NAME.
 */
import { jetstream, type JsMsg } from '@nats-io/jetstream';
import { connectNats } from '@refinery/messaging';
import { adminConfigFromEnv } from '@refinery/persistence';
import { Client } from 'pg';

const { BARE_STREAM, BARE_DURABLE, BARE_TO, BARE_TABLE, DATABASE_NAME } = process.env as Record<
  string,
  string
>;
const BATCH = Number(process.env.BARE_BATCH);

async function main() {
  const admin = adminConfigFromEnv();
  const db = new Client({ ...admin, database: DATABASE_NAME });
  await db.connect();
  await db.query(`CREATE TABLE IF NOT EXISTS ${BARE_TABLE} (id text PRIMARY KEY, body json)`);
  const nc = await connectNats({
    servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222',
    name: 'bare',
  });
  const js = jetstream(nc);
  const consumer = await js.consumers.get(BARE_STREAM, BARE_DURABLE);
  const messages = await consumer.consume({ max_messages: 2 * BATCH });

  // Deliveries pile up here while the previous batch is written, as in the real consumer.
  const waiting: JsMsg[] = [];
  let wake: (() => void) | undefined;
  void (async () => {
    for await (const msg of messages) {
      waiting.push(msg);
      wake?.();
    }
  })();

  for (;;) {
    if (waiting.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const batch = waiting.splice(0, BATCH);
    // An observer sees each record on several subjects: the subject is part of the key.
    const rows = batch.map((msg) => ({
      id: `${msg.json<{ record_id: string }>().record_id} ${msg.subject}`,
      body: msg.string(),
    }));
    await db.query(
      `INSERT INTO ${BARE_TABLE} (id, body)
       SELECT id, body::json FROM json_to_recordset($1::json) AS r(id text, body text)
       ON CONFLICT (id) DO NOTHING`,
      [JSON.stringify(rows)],
    );
    if (BARE_TO)
      await Promise.all(
        batch.map((msg, i) =>
          js.publish(BARE_TO, msg.data, { msgID: `${rows[i].id} ${BARE_DURABLE}` }),
        ),
      );
    for (const msg of batch) msg.ack();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
