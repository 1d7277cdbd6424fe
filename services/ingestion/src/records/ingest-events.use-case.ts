import { Inject, Injectable, Logger } from '@nestjs/common';
import { FieldError } from '@refinery/contracts';
import { problemFor, ProblemException } from '@refinery/runtime';
import { INGESTION_CONFIG, IngestionConfig } from '../config';
import { RateLimiter } from '../tenants/rate-limiter';
import { Tenant } from '../tenants/tenant.entity';
import { AcceptRecordsUseCase } from './accept-records.use-case';
import { IngestEventsCommand } from './ingest-events.command';
import { countOutcomes } from './ingest-metrics';
import { validateEvents } from './validate-events';

export type EventResult =
  | { index: number; status: 'accepted' | 'duplicate'; id: string }
  | { index: number; status: 'invalid'; errors: FieldError[] };

export type IngestResponse =
  | { id: string; status: 'accepted' | 'duplicate' }
  | { accepted: number; duplicates: number; invalid: number; results: EventResult[] };

/** The HTTP way in: rate limit, validate each event, store and publish the valid ones. */
/** Long enough for a NATS reconnect or a Postgres failover to finish. */
const RETRY_AFTER_UNAVAILABLE_S = 5;

@Injectable()
export class IngestEventsUseCase {
  private readonly logger = new Logger('ingest');

  constructor(
    private readonly accept: AcceptRecordsUseCase,
    private readonly limiter: RateLimiter,
    @Inject(INGESTION_CONFIG) private readonly config: IngestionConfig,
  ) {}

  async execute(tenant: Tenant, command: IngestEventsCommand): Promise<IngestResponse> {
    const admitted = this.limiter.take(
      tenant.id,
      command.events.length,
      tenant.rateLimitPerS ?? this.config.INGEST_RATE_LIMIT_PER_S,
    );
    if (!admitted.ok) {
      const detail = `tenant ${tenant.slug} is over its rate of ${tenant.rateLimitPerS ?? this.config.INGEST_RATE_LIMIT_PER_S} events/s; retry after the Retry-After seconds`;
      throw new ProblemException(problemFor(429, detail), admitted.retryAfterS);
    }

    const checked = validateEvents(command.events, (i) => command.pathOf(i));
    const valid = checked.flatMap((c) => (c.ok ? [c] : []));
    const invalid = checked.flatMap((c) => (c.ok ? [] : [c]));
    countOutcomes(
      invalid.map((c) => ({
        tenant: tenant.slug,
        type: typeOf(command.events[c.index]),
        outcome: 'invalid',
      })),
    );

    if (valid.length === 0) {
      const errors = invalid.flatMap((c) => c.errors);
      const detail = command.batch
        ? `none of the ${invalid.length} events is valid`
        : `the event is invalid: ${errors.map((e) => e.path).join(', ')}`;
      throw new ProblemException(problemFor(400, detail, { errors }));
    }

    const stored = await this.accept
      .execute(
        tenant,
        valid.map((c) => c.event),
        'http',
      )
      .catch((error: unknown) => {
        // Nothing was committed: the caller may retry the whole request as it is.
        this.logger.error(
          `could not store and publish ${valid.length} event(s) for ${tenant.slug}: ${String(error)}`,
        );
        throw new ProblemException(
          problemFor(
            503,
            'the events could not be stored and published just now; none was kept, retry the request',
          ),
          RETRY_AFTER_UNAVAILABLE_S,
        );
      });
    if (!command.batch) return stored[0];

    let next = 0;
    const results: EventResult[] = checked.map((c) =>
      c.ok
        ? { index: c.index, ...stored[next++] }
        : { index: c.index, status: 'invalid', errors: c.errors },
    );
    return {
      accepted: results.filter((r) => r.status === 'accepted').length,
      duplicates: results.filter((r) => r.status === 'duplicate').length,
      invalid: invalid.length,
      results,
    };
  }
}

const typeOf = (event: unknown): string => {
  const type = (event as { type?: unknown } | null)?.type;
  return type === 'order' || type === 'exception' ? type : 'unknown';
};
