import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import type { TableInfo } from '../read-only/catalog.repository';
import type { Query } from '../read-only/read-only-database';
import { applySql, previewSql, type CleanseTarget } from './cleanse-sql';
import type { CleanseAction } from './cleanse.command';

/** Cleansing's writes, as the monitor's own role. */
@Injectable()
export class CleanseRepository {
  constructor(private readonly db: DataSource) {}

  /** Whether the monitor's role may apply the actions to `table`, and its name. */
  async rights(table: TableInfo, deletes: boolean): Promise<{ role: string; allowed: boolean }> {
    const [rights] = await this.db.query(
      `SELECT current_user AS role,
              has_schema_privilege($2::oid, 'USAGE') AND has_table_privilege($1::oid, 'SELECT')
                AND has_table_privilege($1::oid, 'UPDATE')
                AND (NOT $3 OR has_table_privilege($1::oid, 'DELETE')) AS allowed`,
      [table.oid, table.schemaOid, deletes],
    );
    return rights;
  }

  /** Applies the actions in order, in one transaction; the rows each changed or removed. */
  apply(target: CleanseTarget, actions: CleanseAction[], timeoutMs: number): Promise<number[]> {
    return this.db.transaction(async (tx) => {
      await tx.query(`SET LOCAL statement_timeout = ${Math.max(1, Math.floor(timeoutMs))}`);
      const rows: number[] = [];
      for (const action of actions) {
        const [row] = await tx.query(applySql(target, action));
        rows.push(Number(row.n));
      }
      return rows;
    });
  }
}

/** Step `k` of the actions, previewed through the read-only role: rows changed and a sample. */
export async function previewStep(
  query: Query,
  target: CleanseTarget,
  actions: CleanseAction[],
  k: number,
  sample: number,
): Promise<{ rows: number; sample: { id: string; before: unknown; after: unknown }[] }> {
  const [row] = await query<{
    rows: string;
    sample: { id: string; before: unknown; after: unknown }[];
  }>(previewSql(target, actions, k, sample));
  return { rows: Number(row.rows), sample: row.sample };
}
