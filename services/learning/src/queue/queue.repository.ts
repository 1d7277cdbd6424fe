import { Injectable } from '@nestjs/common';
import { vectorToSql } from '@refinery/persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { ITEM_COLUMNS, type QueueItem } from './queue-item';

export interface Similar {
  id: string;
  content: string;
  similarity: number;
}

/** Every statement on learning_queue; the tenant is a required argument of each. */
@Injectable()
export class QueueRepository {
  constructor(readonly db: DataSource) {}

  /** Runs `work` in a transaction whose status changes the audit log attributes to `actor`. */
  transaction<T>(
    actor: string,
    note: string | null,
    work: (tx: EntityManager) => Promise<T>,
  ): Promise<T> {
    return this.db.transaction(async (tx) => {
      await tx.query(
        `SELECT set_config('learning.actor', $1, true), set_config('learning.note', $2, true)`,
        [actor, note ?? ''],
      );
      return work(tx);
    });
  }

  async list(tenant: string, status: string | undefined, limit: number): Promise<QueueItem[]> {
    return status
      ? this.db.query(
          `SELECT ${ITEM_COLUMNS} FROM learning_queue WHERE tenant = $1 AND status = $2
            ORDER BY created_at LIMIT $3`,
          [tenant, status, limit],
        )
      : this.db.query(
          `SELECT ${ITEM_COLUMNS} FROM learning_queue WHERE tenant = $1 ORDER BY created_at DESC LIMIT $2`,
          [tenant, limit],
        );
  }

  async find(
    tenant: string,
    id: string,
    tx: EntityManager | DataSource = this.db,
  ): Promise<QueueItem | undefined> {
    const rows: QueueItem[] = await tx.query(
      `SELECT ${ITEM_COLUMNS} FROM learning_queue WHERE tenant = $1 AND id = $2`,
      [tenant, id],
    );
    return rows[0];
  }

  async bySource(
    tx: EntityManager,
    tenant: string,
    sourceType: string,
    sourceId: string,
  ): Promise<QueueItem | undefined> {
    const rows: QueueItem[] = await tx.query(
      `SELECT ${ITEM_COLUMNS} FROM learning_queue WHERE tenant = $1 AND source_type = $2 AND source_id = $3`,
      [tenant, sourceType, sourceId],
    );
    return rows[0];
  }

  async insert(
    tx: EntityManager,
    item: Pick<
      QueueItem,
      | 'tenant'
      | 'source_type'
      | 'source_id'
      | 'record_id'
      | 'content'
      | 'proposed_content'
      | 'confidence_score'
    >,
  ): Promise<string> {
    const rows: Array<{ id: string }> = await tx.query(
      `INSERT INTO learning_queue (tenant, source_type, source_id, interaction_id, content, proposed_content, confidence_score)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (source_type, source_id) WHERE source_id IS NOT NULL DO NOTHING
       RETURNING id`,
      [
        item.tenant,
        item.source_type,
        item.source_id,
        item.record_id,
        item.content,
        item.proposed_content,
        item.confidence_score,
      ],
    );
    return rows[0]?.id;
  }

  /**
   * The item's vector, beside the queue in learning_embeddings (see the migration: a status
   * change would otherwise re-index it in HNSW); replaced if it had one. The tenant is the
   * item's, and an item of another tenant is left alone.
   */
  async setEmbedding(
    tx: EntityManager,
    tenant: string,
    id: string,
    embedding: number[],
  ): Promise<void> {
    await tx.query(
      `INSERT INTO learning_embeddings (item_id, tenant, embedding)
       SELECT id, tenant, $3 FROM learning_queue WHERE tenant = $1 AND id = $2
       ON CONFLICT (item_id) DO UPDATE SET embedding = EXCLUDED.embedding`,
      [tenant, id, vectorToSql(embedding)],
    );
  }

  /** Items at least `threshold` similar, most similar first (the design's check_similar_knowledge). */
  async similar(
    tx: EntityManager | DataSource,
    tenant: string,
    content: string,
    embedding: number[],
    threshold: number,
    limit: number,
    exclude: string | null = null,
  ): Promise<Similar[]> {
    const rows: Array<{ id: string; content: string; similarity: string }> = await tx.query(
      `SELECT id, content, similarity FROM check_similar_knowledge($1, $2, $3::vector, $4, $5, $6)`,
      [tenant, content, vectorToSql(embedding), threshold, limit, exclude],
    );
    return rows.map((r) => ({ id: r.id, content: r.content, similarity: Number(r.similarity) }));
  }

  async markDuplicate(tx: EntityManager, tenant: string, id: string, of: string): Promise<void> {
    await tx.query(
      `UPDATE learning_queue SET status = 'rejected', duplicate_of = $3, decided_by = 'auto:duplicate',
              decided_at = now()
        WHERE tenant = $1 AND id = $2`,
      [tenant, id, of],
    );
  }

  /**
   * Moves a pending item to `to`; undefined when it was not pending. A rejected item's vector
   * goes: it is never compared again.
   */
  async decide(
    tx: EntityManager,
    tenant: string,
    id: string,
    to: 'approved' | 'rejected',
    by: string,
  ): Promise<QueueItem | undefined> {
    // TypeORM answers an UPDATE with [returned rows, affected count].
    const [rows]: [QueueItem[], number] = await tx.query(
      `UPDATE learning_queue SET status = $3, decided_by = $4, decided_at = now()
        WHERE tenant = $1 AND id = $2 AND status = 'pending'
        RETURNING ${ITEM_COLUMNS}`,
      [tenant, id, to, by],
    );
    if (rows[0] && to === 'rejected')
      await tx.query(`DELETE FROM learning_embeddings WHERE item_id = $1`, [id]);
    return rows[0];
  }

  /** The design's batch_process_learning: approved items applied, each once, across workers. */
  async applyApproved(batchSize: number): Promise<number> {
    const rows: Array<{ applied: number }> = await this.db.query(
      `SELECT batch_process_learning($1) AS applied`,
      [batchSize],
    );
    return Number(rows[0]?.applied ?? 0);
  }

  /** Applied items not yet announced, locked so that two publishers never take the same one. */
  async unpublished(tx: EntityManager, limit: number): Promise<QueueItem[]> {
    return tx.query(
      `SELECT ${ITEM_COLUMNS} FROM learning_queue
        WHERE status = 'applied' AND published_at IS NULL
        ORDER BY applied_at LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [limit],
    );
  }

  async markPublished(tx: EntityManager, ids: string[]): Promise<void> {
    await tx.query(`UPDATE learning_queue SET published_at = now() WHERE id = ANY($1::uuid[])`, [
      ids,
    ]);
  }
}
