import { CreateLearningTables1766000000000 } from '../../src/migrations/1766000000000-create-learning-tables';
import { asAdmin, createScratchSchema, type ScratchSchema } from './learning-db';

/** Everything in a schema that the migration could leave behind, as `kind name`. */
const LEFTOVERS = `
  SELECT 'relation ' || c.relname AS object FROM pg_class c
   WHERE c.relnamespace = $1::text::regnamespace
  UNION ALL
  SELECT 'function ' || p.proname FROM pg_proc p WHERE p.pronamespace = $1::text::regnamespace
  UNION ALL
  SELECT 'view ' || m.matviewname FROM pg_matviews m WHERE m.schemaname = $1::text
  UNION ALL
  SELECT 'trigger ' || t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
   WHERE c.relnamespace = $1::text::regnamespace
  UNION ALL
  SELECT 'type ' || t.typname FROM pg_type t WHERE t.typnamespace = $1::text::regnamespace
  ORDER BY 1`;

describe('the learning tables migration, rolled back', () => {
  let scratch: ScratchSchema;

  beforeAll(async () => {
    scratch = await createScratchSchema('learning_rollback');
  });
  afterAll(() => scratch?.drop());

  it('creates the design objects, and its down leaves the schema empty', async () => {
    const migration = new CreateLearningTables1766000000000();
    const runner = scratch.dataSource.createQueryRunner();
    const leftovers = async () =>
      (
        await asAdmin((client) => client.query<{ object: string }>(LEFTOVERS, [scratch.schema]))
      ).rows.map((row) => row.object);
    try {
      const started = performance.now();
      await runner.startTransaction();
      await migration.up(runner);
      await runner.commitTransaction();
      console.log(`[schema] migration up: ${(performance.now() - started).toFixed(0)} ms`);

      const created = await leftovers();
      const [counts] = (
        await asAdmin((client) =>
          client.query(
            `SELECT count(*) FILTER (WHERE c.relkind = 'r') AS tables,
                    count(*) FILTER (WHERE c.relkind = 'i') AS indexes,
                    count(*) FILTER (WHERE c.relkind = 'm') AS views,
                    (SELECT count(*) FROM pg_trigger t JOIN pg_class tc ON tc.oid = t.tgrelid
                      WHERE tc.relnamespace = $1::text::regnamespace AND NOT t.tgisinternal) AS triggers
               FROM pg_class c WHERE c.relnamespace = $1::text::regnamespace`,
            [scratch.schema],
          ),
        )
      ).rows;
      console.log(
        `[schema] up created ${counts.tables} tables, ${counts.indexes} indexes (primary keys and the views' included), ` +
          `${counts.triggers} triggers, ${counts.views} materialized views`,
      );
      expect(created.filter((o) => o.startsWith('function ')).sort()).toEqual(
        [
          'audit_learning_queue',
          'batch_process_learning',
          'check_similar_knowledge',
          'trigger_learning_from_corrections',
          'trigger_learning_from_negative_feedback',
          'update_learning_queue_timestamp',
        ].map((name) => `function ${name}`),
      );
      expect(created).toEqual(
        expect.arrayContaining([
          'view daily_learning_metrics',
          'view response_performance_metrics',
          'relation learning_audit_log',
          'relation learning_embeddings',
          'relation idx_learning_pending',
          'relation idx_learning_approved',
          'relation idx_learning_embedding_hnsw',
          'relation idx_learning_embeddings_tenant',
          'trigger trg_feedback_learning',
          'trigger trg_corrections_learning',
          'trigger trg_learning_queue_updated_at',
          'trigger trg_learning_queue_audit',
        ]),
      );

      await runner.startTransaction();
      await migration.down(runner);
      await runner.commitTransaction();
      expect(await leftovers()).toEqual([]);
    } finally {
      if (runner.isTransactionActive) await runner.rollbackTransaction();
      await runner.release();
    }
  });
});
