import { Injectable } from '@nestjs/common';
import { vectorToSql } from '@refinery/persistence';
import type { EntityManager } from 'typeorm';
import type { Entities } from './entities';
import type { Sentiment } from './sentiment';

export interface TranscriptRow {
  id: string;
  tenant: string;
  order_number: string;
  channel: string;
  transcript: string;
  turns?: unknown;
  sentiment: Sentiment;
  entities: Entities;
  embedding: number[];
}

@Injectable()
export class TranscriptsRepository {
  /** Stores a transcript once, linked to its order's interaction when learning knows the order. */
  async insert(tx: EntityManager, row: TranscriptRow): Promise<boolean> {
    const rows: unknown[] = await tx.query(
      `INSERT INTO voice_transcripts (id, tenant, interaction_id, order_number, channel, transcript, turns,
              sentiment, entities, embedding)
       VALUES ($1, $2,
               (SELECT id FROM interactions
                 WHERE tenant = $2 AND record_type = 'order' AND input->>'order_number' = $3 LIMIT 1),
               $3, $4, $5, $6, $7, $8, $9)
       ON CONFLICT (id) DO NOTHING RETURNING id`,
      [
        row.id,
        row.tenant,
        row.order_number,
        row.channel,
        row.transcript,
        row.turns === undefined ? null : JSON.stringify(row.turns),
        row.sentiment,
        JSON.stringify(row.entities),
        vectorToSql(row.embedding),
      ],
    );
    return rows.length > 0;
  }
}
