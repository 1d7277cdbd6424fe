import { Injectable } from '@nestjs/common';
import { eventOf, type FieldError } from '@refinery/contracts';
import { JetStreamPublisher, type PublishItem } from '@refinery/messaging';
import { DataSource } from 'typeorm';
import { countOutcomes } from '../records/ingest-metrics';

export interface Rejection {
  /** Stable for the message (e.g. from its stream sequence), so a redelivery stores it once. */
  id: string;
  tenant: string;
  tenantId: string | null;
  type: string;
  subject: string;
  reason: string;
  errors: FieldError[];
  payload: string;
}

const MAX_PAYLOAD = 64 * 1024;

/**
 * Text Postgres can store: it refuses NUL in text and json, and lone surrogates (a cut, or
 * sent as such) in json. Both become U+FFFD, as a lenient UTF-8 decoder would make them.
 */
const storable = (text: string): string =>
  (text as string & { toWellFormed(): string }).toWellFormed().replaceAll('\u0000', '\uFFFD');
const TOKEN = /^[A-Za-z0-9_-]+$/;

/** Keeps rejected messages in `rejections` and tells the sender on `ingest.rejected.<tenant>`. */
@Injectable()
export class RejectMessagesUseCase {
  constructor(
    private readonly db: DataSource,
    private readonly publisher: JetStreamPublisher,
  ) {}

  async execute(rejections: Rejection[]): Promise<void> {
    if (rejections.length === 0) return;
    const kept = rejections.map((r) => ({
      ...r,
      tenant: storable(r.tenant),
      subject: storable(r.subject),
      reason: storable(r.reason),
      errors: r.errors.map((e) => ({ path: storable(e.path), message: storable(e.message) })),
      payload: storable(r.payload.slice(0, MAX_PAYLOAD)),
    }));
    await this.db.query(
      `INSERT INTO rejections (id, tenant, tenant_id, subject, reason, errors, payload)
       SELECT id, tenant, tenant_id, subject, reason, errors::jsonb, payload
         FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::text[], $5::text[], $6::text[], $7::text[])
           AS r(id, tenant, tenant_id, subject, reason, errors, payload)
       ON CONFLICT (id) DO NOTHING`,
      [
        kept.map((r) => r.id),
        kept.map((r) => r.tenant),
        kept.map((r) => r.tenantId),
        kept.map((r) => r.subject),
        kept.map((r) => r.reason),
        kept.map((r) => JSON.stringify(r.errors)),
        kept.map((r) => r.payload),
      ],
    );
    await this.publisher.publishMany(kept.map((r) => this.rejectedEvent(r)));
    // Unknown tenants share one label: a sender's typo must not grow the metric without bound.
    countOutcomes(
      kept.map((r) => ({
        tenant: r.tenantId ? r.tenant : 'unknown',
        type: r.type,
        outcome: 'rejected',
      })),
    );
  }

  private rejectedEvent(r: Rejection): PublishItem {
    return eventOf(
      'ingest.rejected',
      {
        id: `${r.id}:rejected`,
        tenant: r.tenant,
        occurred_at: new Date().toISOString(),
        record_id: null,
        data: {
          subject: r.subject,
          reason: r.reason,
          errors: r.errors,
          payload: r.payload,
          rejection_id: r.id,
        },
      },
      // A tenant token that cannot be a subject token still gets told, under "_".
      { tenant: TOKEN.test(r.tenant) ? r.tenant : '_' },
    );
  }
}
