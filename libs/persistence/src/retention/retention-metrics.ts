import { Counter, register } from 'prom-client';

const NAME = 'refinery_retention_deleted_rows_total';

/** Rows removed past retention, by `schema.table`; shared by every job of the process. */
export function retentionDeletedRows(): Counter<'table'> {
  return (
    (register.getSingleMetric(NAME) as Counter<'table'> | undefined) ??
    new Counter({
      name: NAME,
      help: 'Rows removed past their retention, by table (schema.table): deleted in batches, or in a partition dropped',
      labelNames: ['table'],
    })
  );
}
