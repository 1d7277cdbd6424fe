import { Inject, Injectable, Logger } from '@nestjs/common';
import { FieldError, IncomingEvent, RecordTypeSchema } from '@refinery/contracts';
import { isTransientFailure } from '@refinery/messaging';
import { problemFor, ProblemException } from '@refinery/runtime';
import { INGESTION_CONFIG, IngestionConfig } from '../config';
import { admit } from '../tenants/admit';
import { RateLimiter } from '../tenants/rate-limiter';
import type { TenantRef as Tenant } from '@refinery/runtime';
import { Accepted, AcceptRecordsUseCase } from './accept-records.use-case';
import { IngestEventsCommand } from './ingest-events.command';
import { countOutcomes } from './ingest-metrics';
import { PartlyStoredError } from './storage-refusal';
import { validateEvents } from './validate-events';

type Kept = 'accepted' | 'duplicate';
type Invalid = { index: number; status: 'invalid'; errors: FieldError[] };
export type EventResult = { index: number; status: Kept; id: string } | Invalid;

export type IngestResponse =
  | { id: string; status: Kept }
  | { accepted: number; duplicates: number; invalid: number; results: EventResult[] };

/** Long enough for a NATS reconnect or a Postgres failover to finish. */
const RETRY_AFTER_UNAVAILABLE_S = 5;

/**
 * The HTTP way in: rate limit, validate each event, store and publish the valid ones. An event
 * the database refuses is invalid like one the schema refuses; a request is refused (400, or
 * 413 for events too large to publish) only when no event in it could be kept.
 */
@Injectable()
export class IngestEventsUseCase {
  private readonly logger = new Logger('ingest');

  constructor(
    private readonly accept: AcceptRecordsUseCase,
    private readonly limiter: RateLimiter,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async execute(tenant: Tenant, command: IngestEventsCommand): Promise<IngestResponse> {
    await admit(this.limiter, tenant, command.events.length, this.config.INGEST_RATE_LIMIT_PER_S);

    const checked = validateEvents(command.events, (i) => command.pathOf(i));
    const valid = checked.flatMap((c) => (c.ok ? [c] : []));
    const stored = valid.length === 0 ? [] : await this.store(tenant, valid);

    let next = 0;
    const results = checked.map((c): EventResult => {
      if (!c.ok) return { index: c.index, status: 'invalid', errors: c.errors };
      const outcome = stored[next++];
      if (outcome.status !== 'refused') return { index: c.index, ...outcome };
      const path = command.pathOf(c.index) || '(root)';
      return { index: c.index, status: 'invalid', errors: [{ path, message: outcome.reason }] };
    });
    const refused = stored.filter((s) => s.status === 'refused');
    const invalid = results.filter((r): r is Invalid => r.status === 'invalid');
    countOutcomes(
      invalid.map((r) => ({
        tenant: tenant.slug,
        type: typeOf(command.events[r.index]),
        outcome: 'invalid',
      })),
    );
    if (invalid.length === results.length) {
      const errors = invalid.flatMap((r) => r.errors);
      const detail = command.batch
        ? `none of the ${invalid.length} events is valid`
        : `the event is invalid: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
      const tooLarge = refused.length === results.length && refused.every((r) => r.tooLarge);
      throw new ProblemException(problemFor(tooLarge ? 413 : 400, detail, { errors }));
    }
    if (!command.batch) return { id: stored[0].id, status: results[0].status as Kept };
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      invalid: invalid.length,
      results,
    };
  }

  /** Stores the valid events; 503 only when retrying may help (a transient failure). */
  private store(tenant: Tenant, valid: { event: IncomingEvent }[]): Promise<Accepted[]> {
    const events = valid.map((c) => c.event);
    return this.accept.execute(tenant, events, 'http').catch((error: unknown) => {
      const what = `could not store and publish ${events.length} event(s) for ${tenant.slug}`;
      if (!isTransientFailure(error)) {
        this.logger.error(`${what}: ${String(error)}`, error instanceof Error ? error.stack : '');
        throw new ProblemException(
          problemFor(500, 'the events could not be stored; the error has been logged'),
        );
      }
      this.logger.error(`${what}: ${String(error)}`);
      const detail =
        error instanceof PartlyStoredError
          ? 'some events could not be stored and published just now; retry the request (those already kept answer as duplicates)'
          : 'the events could not be stored and published just now; none was kept, retry the request';
      throw new ProblemException(problemFor(503, detail), RETRY_AFTER_UNAVAILABLE_S);
    });
  }
}

const typeOf = (event: unknown): string => {
  const type = RecordTypeSchema.safeParse((event as { type?: unknown } | null)?.type);
  return type.success ? type.data : 'unknown';
};
