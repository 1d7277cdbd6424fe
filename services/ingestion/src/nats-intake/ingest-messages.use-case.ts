import { Injectable } from '@nestjs/common';
import { IncomingEvent, paramsOf, RecordTypeSchema, TenantSlugSchema } from '@refinery/contracts';
import { AcceptRecordsUseCase } from '../records/accept-records.use-case';
import { validateEvent } from '../records/validate-events';
import { Rejection, RejectMessagesUseCase } from '../rejections/reject-messages.use-case';
import type { TenantRef as Tenant } from '@refinery/runtime';
import { Authenticator } from '@refinery/runtime';

/** One message from `ingest.<tenant>.<type>`, as the transport handed it over. */
export interface IngestMessage {
  subject: string;
  /** The same on every delivery of a message, so a redelivered rejection is stored once. */
  rejectionId: string;
  /** The body as sent: kept (as text) when the message is rejected. */
  body: Uint8Array;
}

interface Admitted {
  message: IngestMessage;
  tenant: Tenant;
  event: IncomingEvent;
  raw: string;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });
/** A value as a reason names it: briefly, and without walking into it. */
const describe = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value.slice(0, 100)) : `a ${typeof value}`;
const lenient = new TextDecoder('utf-8');

/**
 * The NATS way in. Each message is accepted (stored and published, like over HTTP) or
 * rejected (kept with its reason and announced): none is dropped. An event the database
 * refuses is rejected alone. A failure to store otherwise throws, so the batch is retried.
 */
@Injectable()
export class IngestMessagesUseCase {
  constructor(
    private readonly tenants: Authenticator,
    private readonly accept: AcceptRecordsUseCase,
    private readonly reject: RejectMessagesUseCase,
  ) {}

  async execute(messages: IngestMessage[]): Promise<void> {
    const rejections: Rejection[] = [];
    const byTenant = new Map<string, Admitted[]>();
    for (const message of messages) {
      // ingest.rejected.<tenant> shares the stream: it is our own output, not input.
      if (paramsOf('ingest.rejected', message.subject)) continue;
      const outcome = await this.check(message);
      if ('reason' in outcome) {
        rejections.push(outcome);
        continue;
      }
      const group = byTenant.get(outcome.tenant.id) ?? [];
      group.push(outcome);
      byTenant.set(outcome.tenant.id, group);
    }
    for (const group of byTenant.values()) {
      const { tenant } = group[0];
      const results = await this.accept.execute(
        tenant,
        group.map((a) => a.event),
        'nats',
      );
      results.forEach((result, i) => {
        if (result.status !== 'refused') return;
        const { message, raw } = group[i];
        const errors = [{ path: '(root)', message: result.reason }];
        rejections.push(rejectionOf(message, raw, tenant, result.reason, errors));
      });
    }
    await this.reject.execute(rejections);
  }

  private async check(message: IngestMessage): Promise<Rejection | Admitted> {
    let raw: string;
    try {
      raw = utf8.decode(message.body);
    } catch {
      return rejectionOf(message, lenient.decode(message.body), null, 'the body is not UTF-8');
    }
    const rejection = (tenant: Tenant | null, reason: string, errors?: Rejection['errors']) =>
      rejectionOf(message, raw, tenant, reason, errors);
    const params = paramsOf('ingest', message.subject);
    if (!params) return rejection(null, 'the subject must be ingest.<tenant>.<type>');
    // A token no tenant can have is not looked up: it could not even be a query parameter.
    const known = TenantSlugSchema.safeParse(params.tenant).success;
    const tenant = known ? await this.tenants.tenant(params.tenant) : null;
    if (!tenant) return rejection(null, `unknown tenant "${params.tenant}"`);

    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      return rejection(tenant, 'the body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return rejection(tenant, 'the body must be a JSON object (one event)');
    const declared = (body as { type?: unknown }).type;
    if (declared !== undefined && declared !== params.type) {
      return rejection(
        tenant,
        `the body says type ${describe(declared)} but the subject says "${params.type}"`,
        [{ path: 'type', message: `must match the subject's type "${params.type}"` }],
      );
    }
    const result = validateEvent({ ...body, type: params.type }, '');
    if (!result.ok)
      return rejection(
        tenant,
        `invalid event: ${result.errors.map((e) => e.path).join(', ')}`,
        result.errors,
      );
    return { message, tenant, event: result.event, raw };
  }
}

function rejectionOf(
  message: IngestMessage,
  raw: string,
  tenant: Tenant | null,
  reason: string,
  errors: Rejection['errors'] = [],
): Rejection {
  const params = paramsOf('ingest', message.subject);
  return {
    id: message.rejectionId,
    tenant: tenant?.slug ?? message.subject.split('.')[1] ?? '_',
    tenantId: tenant?.id ?? null,
    type: RecordTypeSchema.safeParse(params?.type).data ?? 'unknown',
    subject: message.subject,
    reason,
    errors,
    payload: raw,
  };
}
