import { Injectable } from '@nestjs/common';
import { eventOf, type EventPayload, type IncomingEvent } from '@refinery/contracts';
import { JetStreamPublisher, type PublishItem } from '@refinery/messaging';
import { DataSource } from 'typeorm';
import type { TenantRef as Tenant } from '@refinery/runtime';
import { countOutcomes } from './ingest-metrics';
import { recordIdOf } from './record-id';
import { NewRecord, RecordsRepository } from './records.repository';
import { PartlyStoredError, Refusal, refusalOf } from './storage-refusal';

export type Accepted =
  { id: string; status: 'accepted' | 'duplicate' } | ({ id: string; status: 'refused' } & Refusal);

interface Stored {
  inserted: Set<string>;
  refused: Map<string, Refusal>;
}

/**
 * Stores valid events and publishes `records.received` for the new ones. The insert commits
 * only after JetStream acked every publish, so a stored record has always been published
 * and a failure leaves nothing behind for the caller to worry about: retrying is safe.
 * An event the database or the bus refuses is refused alone; the others are kept.
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

    const { inserted, refused } = await this.storeIsolating(tenant, via, unique, true);

    const results = ids.map((id, i): Accepted => {
      const refusal = refused.get(id);
      if (refusal) return { id, status: 'refused', ...refusal };
      const status = inserted.has(id) && firstIndexOf.get(id) === i ? 'accepted' : 'duplicate';
      return { id, status };
    });
    countOutcomes(
      results.flatMap((r, i) =>
        r.status === 'refused'
          ? []
          : [{ tenant: tenant.slug, type: events[i].type, outcome: r.status }],
      ),
    );
    return results;
  }

  /**
   * Stores `rows`; when the data is at fault (see `refusalOf`), each half again on its own,
   * down to single events, so that only the events at fault are refused. Any other failure
   * is thrown: a transient one leaves nothing of the first attempt behind.
   */
  private async storeIsolating(
    tenant: Tenant,
    via: 'http' | 'nats',
    rows: NewRecord[],
    first: boolean,
  ): Promise<Stored> {
    try {
      return { inserted: await this.store(tenant, via, rows), refused: new Map() };
    } catch (error) {
      const refusal = refusalOf(error);
      if (!refusal) throw first ? error : new PartlyStoredError(error);
      if (rows.length === 1)
        return { inserted: new Set(), refused: new Map([[rows[0].id, refusal]]) };
      const middle = Math.ceil(rows.length / 2);
      const a = await this.storeIsolating(tenant, via, rows.slice(0, middle), first);
      const b = await this.storeIsolating(tenant, via, rows.slice(middle), false);
      return {
        inserted: new Set([...a.inserted, ...b.inserted]),
        refused: new Map([...a.refused, ...b.refused]),
      };
    }
  }

  private store(tenant: Tenant, via: 'http' | 'nats', rows: NewRecord[]): Promise<Set<string>> {
    const receivedAt = new Date().toISOString();
    return this.db.transaction(async (tx) => {
      const newIds = await this.records.insertNew(tx, tenant.id, via, rows);
      const fresh = rows.filter((r) => newIds.has(r.id));
      await this.publisher.publishMany(
        fresh.map(({ id, event }) => this.receivedEvent(tenant, id, event, receivedAt)),
      );
      return newIds;
    });
  }

  private receivedEvent(
    tenant: Tenant,
    id: string,
    event: IncomingEvent,
    receivedAt: string,
  ): PublishItem {
    const data = {
      record_type: event.type,
      source: event.source,
      external_id: event.external_id,
      received_at: receivedAt,
      payload: event.data,
    } as EventPayload<'records.received'>['data'];
    return eventOf(
      'records.received',
      {
        id: `${id}:received`,
        tenant: tenant.slug,
        occurred_at: event.occurred_at,
        record_id: id,
        data,
      },
      { type: event.type },
    );
  }
}
