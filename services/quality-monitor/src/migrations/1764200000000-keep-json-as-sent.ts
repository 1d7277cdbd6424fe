import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A record's input and each stage's report are kept to be sent again, never queried inside:
 * `json` stores the text as it came, where `jsonb` parsed and rebuilt it on every insert.
 * Room on each page lets a record's completion be written next to its row: Postgres then
 * logs only the changed columns and adds no index entries, instead of the whole row again.
 * At about 650 bytes a row, 15% of a page holds about a fifth of its rows' completions;
 * room for all of them would take half of every page, doubling the table for about 9% less WAL.
 */
export class KeepJsonAsSent1764200000000 implements MigrationInterface {
  name = 'KeepJsonAsSent1764200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_states ALTER COLUMN input TYPE json USING input::json`);
    await q.query(`ALTER TABLE stage_states ALTER COLUMN report TYPE json USING report::json`);
    await q.query(`ALTER TABLE record_states SET (fillfactor = 85)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE record_states RESET (fillfactor)`);
    await q.query(`ALTER TABLE stage_states ALTER COLUMN report TYPE jsonb USING report::jsonb`);
    await q.query(`ALTER TABLE record_states ALTER COLUMN input TYPE jsonb USING input::jsonb`);
  }
}
