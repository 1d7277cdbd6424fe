import { Injectable } from '@nestjs/common';
import { IncomingEvent } from '@refinery/contracts';
import { EntityManager } from 'typeorm';

export interface NewRecord {
  id: string;
  event: IncomingEvent;
}

@Injectable()
export class RecordsRepository {
  /**
   * Inserts the records that are not there yet, in one statement, and returns the ids it
   * inserted; a natural key already present is left alone (and keeps its id).
   */
  async insertNew(
    tx: EntityManager,
    tenantId: string,
    via: 'http' | 'nats',
    records: NewRecord[],
  ): Promise<Set<string>> {
    if (records.length === 0) return new Set();
    // One JSON parameter: Postgres parses it in one go, where six arrays would each be
    // escaped element by element on the way out.
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO records (id, tenant_id, type, source, external_id, occurred_at, via, data)
       SELECT r.id, $1, r.type, r.source, r.external_id, r.occurred_at, $2, r.data
         FROM json_to_recordset($3::json)
           AS r(id uuid, type text, source text, external_id text, occurred_at timestamptz, data json)
       ON CONFLICT (id) DO NOTHING
       RETURNING id`,
      [tenantId, via, JSON.stringify(records.map((r) => ({ id: r.id, ...r.event })))],
    );
    return new Set(rows.map((r) => r.id));
  }
}
