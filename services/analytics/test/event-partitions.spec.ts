import { runMigrations } from '@refinery/persistence';
import { createScratchSchema, type ScratchSchema } from '@refinery/testing';
import type { DataSource } from 'typeorm';
import { migrations } from '../src/data-source';
import type { EventRow } from '../src/events/event-rows';
import { EventsRepository } from '../src/events/events.repository';

const row = (message_id: string, occurred_at: string, kind = 'track'): EventRow => ({
  tenant: 'partitions',
  message_id,
  kind: kind as EventRow['kind'],
  user_id: 'u1',
  anonymous_id: null,
  event: 'Viewed',
  properties: {},
  campaign_source: null,
  campaign_medium: null,
  campaign_name: null,
  revenue: null,
  occurred_at,
});

/** Each event's message id and the partition holding it. */
const placed = (db: DataSource): Promise<string[]> =>
  db
    .query(`SELECT message_id, tableoid::regclass::text AS partition FROM events ORDER BY 1`)
    .then((rows: { message_id: string; partition: string }[]) =>
      rows.map((r) => `${r.message_id} ${r.partition}`),
    );

/** Events in a month's partition of its own, in a schema of their own (partitions are DDL). */
describe('event partitions', () => {
  let scratch: ScratchSchema;
  let db: DataSource;

  beforeAll(async () => {
    scratch = await createScratchSchema('analytics_partitions', migrations);
    db = scratch.dataSource;
    await runMigrations(db);
  });

  afterAll(() => scratch?.drop());

  it('gives a month its partition with the rows the default partition held of it', async () => {
    // Stored while March had no partition: the default partition takes them.
    for (const [id, at] of [
      ['march-1', '2024-03-01T00:00:00Z'],
      ['march-2', '2024-03-31T23:59:59Z'],
      ['april', '2024-04-01T00:00:00Z'],
    ])
      await db.query(
        `INSERT INTO events (tenant, message_id, kind, occurred_at) VALUES ('partitions', $1, 'track', $2)`,
        [id, at],
      );
    expect(await placed(db)).toEqual([
      'april events_default',
      'march-1 events_default',
      'march-2 events_default',
    ]);

    await db.query(`SELECT ensure_event_partition('2024-03-15T12:00:00Z')`);
    expect(await placed(db)).toEqual([
      'april events_default',
      'march-1 events_2024_03',
      'march-2 events_2024_03',
    ]);
    // It is a partition like the others, with the parent's indexes, and made once.
    await db.query(`SELECT ensure_event_partition('2024-03-02T00:00:00Z')`);
    const indexes = await db.query(
      `SELECT count(*)::int AS n FROM pg_index WHERE indrelid = 'events_2024_03'::regclass`,
    );
    expect(indexes[0].n).toBe(5);
  });

  it('makes a month’s partition again when the batch that made it failed', async () => {
    const events = new EventsRepository(db);
    // The batch's partition is made, then a row the table refuses rolls all of it back.
    await expect(
      events.save([row('may-1', '2024-05-10T00:00:00Z'), row('bad', '2024-05-11T00:00:00Z', 'x')]),
    ).rejects.toThrow(/check constraint/);
    await events.save([row('may-2', '2024-05-12T00:00:00Z')]);
    expect((await placed(db)).filter((p) => p.startsWith('may') || p.startsWith('bad'))).toEqual([
      'may-2 events_2024_05',
    ]);
  });
});
