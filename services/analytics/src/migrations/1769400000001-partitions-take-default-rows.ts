import { MigrationInterface, QueryRunner } from 'typeorm';
import { ENSURE_EVENT_PARTITION } from './1768000000000-create-analytics-tables';

/**
 * A month's partition takes the rows of that month the default partition holds. PostgreSQL
 * refuses a new partition while the default one holds rows of its range, so one such row (an
 * event stored while its month had no partition) made every later event of that month fail,
 * in every process, until an operator moved it. Made by hand and attached, the partition gets
 * the parent's indexes on ATTACH.
 */
export class PartitionsTakeDefaultRows1769400000001 implements MigrationInterface {
  name = 'PartitionsTakeDefaultRows1769400000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE OR REPLACE FUNCTION ensure_event_partition(at timestamptz) RETURNS text
      LANGUAGE plpgsql SET search_path FROM CURRENT AS $$
    DECLARE
      month_start timestamptz := date_trunc('month', at AT TIME ZONE 'UTC') AT TIME ZONE 'UTC';
      month_end timestamptz := month_start + interval '1 month';
      name text := 'events_' || to_char(at AT TIME ZONE 'UTC', 'YYYY_MM');
    BEGIN
      IF to_regclass(name) IS NOT NULL THEN
        RETURN name;
      END IF;
      -- Two consumers meeting a new month at once: one makes it, the other finds it made.
      PERFORM pg_advisory_xact_lock(hashtext('analytics.events.' || name));
      IF to_regclass(name) IS NULL THEN
        EXECUTE format('CREATE TABLE %I (LIKE events INCLUDING DEFAULTS INCLUDING CONSTRAINTS)',
                       name);
        EXECUTE format('WITH moved AS (DELETE FROM events_default
                                        WHERE occurred_at >= $1 AND occurred_at < $2 RETURNING *)
                        INSERT INTO %I SELECT * FROM moved', name)
          USING month_start, month_end;
        EXECUTE format('ALTER TABLE events ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       name, month_start, month_end);
      END IF;
      RETURN name;
    END $$`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP FUNCTION ensure_event_partition(timestamptz)');
    await q.query(ENSURE_EVENT_PARTITION);
  }
}
