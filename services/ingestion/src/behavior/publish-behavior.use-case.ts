import { Inject, Injectable, Logger } from '@nestjs/common';
import type { NatsConnection } from '@nats-io/transport-node';
import { formatPath, validate, type FieldError } from '@refinery/contracts';
import {
  isTransientFailure,
  JetStreamPublisher,
  NATS_CONNECTION,
  type PublishItem,
} from '@refinery/messaging';
import { badRequest, problemFor, ProblemException, type TenantRef } from '@refinery/runtime';
import { z } from 'zod';
import { INGESTION_CONFIG, IngestionConfig } from '../config';
import { countOutcomes, type IngestOutcome } from '../records/ingest-metrics';
import { admit } from '../tenants/admit';
import { RateLimiter } from '../tenants/rate-limiter';
import { BehaviorCallsCommand } from './behavior-calls.command';
import { behaviorEventOf } from './behavior-event-of';
import { behaviorMessageOf, tooLargeToPublish } from './behavior-message';
import { SegmentContextSchema } from './segment-call.schema';

/** Segment's answer; a batch also says how many calls were taken and what was wrong. */
export type BehaviorResponse =
  { success: true } | { success: true; accepted: number; invalid: number; errors: FieldError[] };

type Checked =
  | { ok: true; kind: string; message: PublishItem }
  | { ok: false; kind: string; errors: FieldError[]; tooLarge?: boolean };

const BatchSchema = z.looseObject({ context: SegmentContextSchema.optional() });
const RETRY_AFTER_UNAVAILABLE_S = 5;
const DEFAULT_MAX_PAYLOAD = 1024 * 1024;

/**
 * Segment calls in: rate limit, validate each, publish the valid ones on `records.behavior`
 * and answer once JetStream acknowledged them all. Nothing is stored here; a retried request
 * publishes the same message ids, which JetStream keeps once within its duplicate window. As
 * on /v1/events, a bad call of a batch is refused alone; a request none of whose calls is
 * valid is refused (400, or 413 when they are all too large).
 */
@Injectable()
export class PublishBehaviorUseCase {
  private readonly logger = new Logger('behavior');

  constructor(
    private readonly publisher: JetStreamPublisher,
    private readonly limiter: RateLimiter,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
  ) {}

  async execute(tenant: TenantRef, command: BehaviorCallsCommand): Promise<BehaviorResponse> {
    await admit(this.limiter, tenant, command.calls.length, this.config.INGEST_RATE_LIMIT_PER_S);
    const shared = validate(BatchSchema, command.shared);
    if (!shared.ok) throw badRequest(shared.errors);

    const receivedAt = new Date().toISOString();
    const maxPayload = this.nc.info?.max_payload ?? DEFAULT_MAX_PAYLOAD;
    const checked = command.calls.map((call): Checked => {
      if (!call.ok) return { ...call, kind: 'unknown' };
      const result = behaviorEventOf(tenant.id, call, receivedAt, shared.value.context?.campaign);
      if (!result.ok) return { ...result, kind: call.kind };
      const message = behaviorMessageOf(tenant, result.event);
      if (!tooLargeToPublish(message, maxPayload)) return { ok: true, kind: call.kind, message };
      const path = formatPath([], call.path);
      const reason = `too large to publish: with its envelope it exceeds the bus message limit of ${maxPayload} bytes`;
      return { ok: false, kind: call.kind, errors: [{ path, message: reason }], tooLarge: true };
    });

    const valid = checked.flatMap((c) => (c.ok ? [c] : []));
    const messages = valid.map((c) => c.message);
    const duplicates = messages.length === 0 ? [] : await this.publish(tenant, messages);
    let next = 0;
    const outcomeOf = (c: Checked): IngestOutcome => {
      if (!c.ok) return 'invalid';
      return duplicates[next++] ? 'duplicate' : 'accepted';
    };
    countOutcomes(
      checked.map((c) => ({ tenant: tenant.slug, type: c.kind, outcome: outcomeOf(c) })),
    );

    const invalid = checked.flatMap((c) => (c.ok ? [] : [c]));
    const errors = invalid.flatMap((c) => c.errors);
    if (valid.length === 0) {
      const tooLarge = invalid.every((c) => c.tooLarge);
      const detail = command.batch
        ? `none of the ${invalid.length} calls is valid`
        : `the call is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
      throw new ProblemException(problemFor(tooLarge ? 413 : 400, detail, { errors }));
    }
    if (!command.batch) return { success: true };
    return { success: true, accepted: valid.length, invalid: invalid.length, errors };
  }

  /** Publishes and says, per message, whether JetStream had it already. */
  private async publish(tenant: TenantRef, messages: PublishItem[]): Promise<boolean[]> {
    try {
      return (await this.publisher.publishMany(messages)).map((ack) => ack.duplicate);
    } catch (error) {
      const what = `could not publish ${messages.length} behavioural event(s) for ${tenant.slug}`;
      if (!isTransientFailure(error)) {
        this.logger.error(`${what}: ${String(error)}`, error instanceof Error ? error.stack : '');
        throw new ProblemException(
          problemFor(500, 'the events could not be published; the error has been logged'),
        );
      }
      this.logger.error(`${what}: ${String(error)}`);
      const detail =
        'the events could not be published just now; retry the request (those already published are kept once)';
      throw new ProblemException(problemFor(503, detail), RETRY_AFTER_UNAVAILABLE_S);
    }
  }
}
