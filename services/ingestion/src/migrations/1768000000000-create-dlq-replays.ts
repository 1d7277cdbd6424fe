import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * What the operator replayed from the DLQ (`npm run admin -- dlq replay`, /v1/admin/dlq): one
 * row per replay. A dead letter is named by its DLQ sequence and the time it was stored, which
 * together stay unique even if the DLQ stream is made again and counts from 1.
 */
export class CreateDlqReplays1768000000000 implements MigrationInterface {
  name = 'CreateDlqReplays1768000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE dlq_replays (
        id bigserial PRIMARY KEY,
        dlq_seq bigint NOT NULL,
        dead_lettered_at timestamptz NOT NULL,
        -- 1 for the first replay; a forced one after it counts on.
        attempt integer NOT NULL CHECK (attempt > 0),
        service text NOT NULL,
        subject text NOT NULL,
        msg_id text NOT NULL,
        -- Where the replay was stored; duplicate when JetStream had it already.
        stream text NOT NULL,
        stream_seq bigint NOT NULL,
        duplicate boolean NOT NULL,
        replayed_at timestamptz NOT NULL DEFAULT now(),
        replayed_by text NOT NULL,
        UNIQUE (dlq_seq, dead_lettered_at, attempt)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE dlq_replays`);
  }
}
