import { Injectable } from '@nestjs/common';
import {
  EventPayload,
  RecordType,
  IncomingEvent,
  SCHEMA_VERSION,
  subjectOf,
} from '@refinery/contracts';
import { JetStreamPublisher } from '@refinery/messaging';
import { DataSource } from 'typeorm';
import { Tenant } from '../tenants/tenant.entity';
import { countOutcomes } from './ingest-metrics';
import { recordIdOf } from './record-id';
import { RecordsRepository } from './records.repository';

export interface Accepted {
  id: string;
  status: 'accepted' | 'duplicate';
}

/**
 * Stores valid events and publishes `records.received` for the new ones. The insert commits
 * only after JetStream acked every publish, so a stored record has always been published
 * and a failure leaves nothing behind for the caller to worry about: retrying is safe.
 */
@Injectable()
export class AcceptRecordsUseCase {
  constructor(
    private readonly db: DataSource,
    private readonly records: RecordsRepository,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async execute(
    tenant: Tenant,
    events: IncomingEvent[],
    via: 'http' | 'nats',
  ): Promise<Accepted[]> {
    const ids = events.map((e) => recordIdOf(tenant.id, e.source, e.external_id));
    const firstIndexOf = new Map<string, number>();
    ids.forEach((id, i) => firstIndexOf.has(id) || firstIndexOf.set(id, i));
    const unique = [...firstIndexOf.entries()].map(([id, i]) => ({ id, event: events[i] }));
    const receivedAt = new Date().toISOString();
    const subjects = {
      order: subjectOf('records.received', { tenant: tenant.slug, type: 'order' }),
      exception: subjectOf('records.received', { tenant: tenant.slug, type: 'exception' }),
    } satisfies Record<RecordType, string>;

    const inserted = await this.db.transaction(async (tx) => {
      const newIds = await this.records.insertNew(tx, tenant.id, via, unique);
      const fresh = unique.filter((r) => newIds.has(r.id));
      await this.publisher.publishMany(
        fresh.map(({ id, event }) => ({
          subject: subjects[event.type],
          msgId: `${id}:received`,
          payload: this.receivedEvent(tenant, id, event, receivedAt),
        })),
      );
      return newIds;
    });

    const results = ids.map((id, i): Accepted => {
      const status = inserted.has(id) && firstIndexOf.get(id) === i ? 'accepted' : 'duplicate';
      return { id, status };
    });
    countOutcomes(
      results.map((r, i) => ({ tenant: tenant.slug, type: events[i].type, outcome: r.status })),
    );
    return results;
  }

  private receivedEvent(
    tenant: Tenant,
    id: string,
    event: IncomingEvent,
    receivedAt: string,
  ): EventPayload<'records.received'> {
    return {
      id: `${id}:received`,
      tenant: tenant.slug,
      type: 'records.received',
      schema_version: SCHEMA_VERSION,
      occurred_at: event.occurred_at,
      record_id: id,
      data: {
        record_type: event.type,
        source: event.source,
        external_id: event.external_id,
        received_at: receivedAt,
        payload: event.data,
      } as EventPayload<'records.received'>['data'],
    };
  }
}
