import { Injectable } from '@nestjs/common';
import { IncomingEvent, IncomingEventSchema, paramsOf, validate } from '@refinery/contracts';
import { AcceptRecordsUseCase } from '../records/accept-records.use-case';
import { Rejection, RejectMessagesUseCase } from '../rejections/reject-messages.use-case';
import { Tenant } from '../tenants/tenant.entity';
import { TenantsRepository } from '../tenants/tenants.repository';

/** One message from `ingest.<tenant>.<type>`, as the transport handed it over. */
export interface IngestMessage {
  subject: string;
  /** Stable per message (stream and sequence), so a redelivered rejection is stored once. */
  rejectionId: string;
  /** The body as text: kept verbatim when the message is rejected. */
  raw: string;
}

/**
 * The NATS way in. Each message is accepted (stored and published, like over HTTP) or
 * rejected (kept with its reason and announced): none is dropped. A failure to store
 * throws, so the whole batch is retried.
 */
@Injectable()
export class IngestMessagesUseCase {
  constructor(
    private readonly tenants: TenantsRepository,
    private readonly accept: AcceptRecordsUseCase,
    private readonly reject: RejectMessagesUseCase,
  ) {}

  async execute(messages: IngestMessage[]): Promise<void> {
    const rejections: Rejection[] = [];
    const byTenant = new Map<string, { tenant: Tenant; events: IncomingEvent[] }>();
    for (const message of messages) {
      // ingest.rejected.<tenant> shares the stream: it is our own output, not input.
      if (paramsOf('ingest.rejected', message.subject)) continue;
      const outcome = await this.check(message);
      if ('reason' in outcome) {
        rejections.push(outcome);
        continue;
      }
      const group = byTenant.get(outcome.tenant.id) ?? { tenant: outcome.tenant, events: [] };
      group.events.push(outcome.event);
      byTenant.set(outcome.tenant.id, group);
    }
    for (const { tenant, events } of byTenant.values())
      await this.accept.execute(tenant, events, 'nats');
    await this.reject.execute(rejections);
  }

  private async check(
    message: IngestMessage,
  ): Promise<Rejection | { tenant: Tenant; event: IncomingEvent }> {
    const params = paramsOf('ingest', message.subject);
    const tokens = message.subject.split('.');
    const rejection = (
      tenant: Tenant | null,
      reason: string,
      errors: Rejection['errors'] = [],
    ): Rejection => ({
      id: message.rejectionId,
      tenant: tenant?.slug ?? tokens[1] ?? '_',
      tenantId: tenant?.id ?? null,
      type: params?.type === 'order' || params?.type === 'exception' ? params.type : 'unknown',
      subject: message.subject,
      reason,
      errors,
      payload: message.raw,
    });
    if (!params) return rejection(null, 'the subject must be ingest.<tenant>.<type>');
    const tenant = await this.tenants.findBySlug(params.tenant);
    if (!tenant) return rejection(null, `unknown tenant "${params.tenant}"`);

    let body: unknown;
    try {
      body = JSON.parse(message.raw);
    } catch {
      return rejection(tenant, 'the body is not valid JSON');
    }
    if (typeof body !== 'object' || body === null || Array.isArray(body))
      return rejection(tenant, 'the body must be a JSON object (one event)');
    const declared = (body as { type?: unknown }).type;
    if (declared !== undefined && declared !== params.type) {
      return rejection(
        tenant,
        `the body says type "${String(declared)}" but the subject says "${params.type}"`,
        [{ path: 'type', message: `must match the subject's type "${params.type}"` }],
      );
    }
    const result = validate(IncomingEventSchema, { ...body, type: params.type });
    if (!result.ok)
      return rejection(
        tenant,
        `invalid event: ${result.errors.map((e) => e.path).join(', ')}`,
        result.errors,
      );
    return { tenant, event: result.value };
  }
}
