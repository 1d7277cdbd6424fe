import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * One token bucket per tenant for every ingestion process: replicas share a tenant's rate
 * instead of each admitting all of it. Only `tokens` and `at` change, with no index on
 * them, so each request's update is a HOT update of one small row.
 */
export class SharedRateBuckets1767000000000 implements MigrationInterface {
  name = 'SharedRateBuckets1767000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE rate_buckets (
        bucket text PRIMARY KEY,
        tokens double precision NOT NULL,
        at timestamptz NOT NULL
      ) WITH (fillfactor = 50)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE rate_buckets`);
  }
}
