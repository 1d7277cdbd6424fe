import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A rejected item (a duplicate, or one a reviewer turned down) is never compared again, so it
 * keeps no vector: check_similar_knowledge's HNSW scan filters by status only after the scan,
 * and walked past every rejected vector on its way to a live item (in a 30-minute soak, 15,000
 * duplicates and 37 million queue lookups). The vectors of items rejected before this go now.
 */
export class NoVectorsOfRejected1769300000000 implements MigrationInterface {
  name = 'NoVectorsOfRejected1769300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      DELETE FROM learning_embeddings e
       USING learning_queue q
       WHERE q.id = e.item_id AND q.status = 'rejected'`);
  }

  async down(): Promise<void> {
    // The vectors are not kept anywhere else; an item's text can be embedded again if needed.
  }
}
