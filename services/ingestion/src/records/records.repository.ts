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
    const rows: { id: string }[] = await tx.query(
      `INSERT INTO records (id, tenant_id, type, source, external_id, occurred_at, via, data)
       SELECT id, $1, type, source, external_id, occurred_at, $2, data::jsonb
         FROM unnest($3::uuid[], $4::text[], $5::text[], $6::text[], $7::timestamptz[], $8::text[])
           AS r(id, type, source, external_id, occurred_at, data)
       ON CONFLICT ON CONSTRAINT records_natural_key DO NOTHING
       RETURNING id`,
      [
        tenantId,
        via,
        records.map((r) => r.id),
        records.map((r) => r.event.type),
        records.map((r) => r.event.source),
        records.map((r) => r.event.external_id),
        records.map((r) => r.event.occurred_at),
        records.map((r) => JSON.stringify(r.event.data)),
      ],
    );
    return new Set(rows.map((r) => r.id));
  }
}
