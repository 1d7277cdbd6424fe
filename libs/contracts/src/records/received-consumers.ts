import { filterOf } from '../events';
import { ENRICHED_RECORD_TYPES, type EnrichedRecordType, type RecordType } from './record-types';

/** One `records.received` filter per type, for one tenant or all: `records.received.acme.order`. */
export const receivedFilterOf = (type: RecordType, tenant?: string): string =>
  filterOf('records.received', tenant ? { tenant, type } : { type });

/** A durable consumer of `records.received` that reads one enriched record type. */
export interface EnrichedRecordsConsumer {
  type: EnrichedRecordType;
  durable: string;
  filterSubject: string;
  /**
   * The durable this one was split off. When this one does not exist yet, it starts where
   * that one has acknowledged everything up to, instead of at the start of the stream.
   */
  takesOverFrom?: string;
}

/**
 * The durable consumers through which a service reads the records enrichment takes: one per
 * type of `ENRICHED_RECORD_TYPES`, as NATS 2.9 takes one filter subject per consumer. Other
 * types (transcripts) are never delivered to them.
 *
 * `base` is the durable that read every type (`records.received.*.*`) before there were
 * types enrichment leaves alone. The first enriched type (orders) keeps it: on a running
 * platform that durable is narrowed in place and keeps its position. Every other type gets
 * `<base>-<type>`, which starts, when it is made, where `base` had acknowledged everything:
 * nothing `base` had not finished is skipped, and little it had is read again (a
 * redelivery, which every consumer of the bus takes in its stride). A consumer of one
 * tenant appends `_<tenant>` to each name.
 */
export function enrichedRecordsConsumers(base: string, tenant?: string): EnrichedRecordsConsumer[] {
  const own = (name: string) => (tenant ? `${name}_${tenant}` : name);
  return ENRICHED_RECORD_TYPES.map((type, i) => ({
    type,
    durable: own(i === 0 ? base : `${base}-${type}`),
    filterSubject: receivedFilterOf(type, tenant),
    ...(i === 0 ? {} : { takesOverFrom: own(base) }),
  }));
}
