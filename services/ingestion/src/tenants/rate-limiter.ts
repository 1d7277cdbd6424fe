import { Inject, Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { INGESTION_CONFIG, MAX_BATCH_EVENTS, type IngestionConfig } from '../config';

export type Admission = { ok: true } | { ok: false; retryAfterS: number };

/**
 * A token bucket per tenant, counted in events: a batch of 500 costs 500. The bucket holds
 * two seconds' worth, and never less than one full batch, so a batch is always admissible.
 * Buckets live in Postgres, so every ingestion process takes from the same one: one
 * statement per request, which refills, checks and takes at once under the row's lock.
 */
@Injectable()
export class RateLimiter {
  private readonly defaultRatePerS: number;

  constructor(
    private readonly db: DataSource,
    @Inject(INGESTION_CONFIG) config: Pick<IngestionConfig, 'INGEST_RATE_LIMIT_PER_S'>,
  ) {
    this.defaultRatePerS = config.INGEST_RATE_LIMIT_PER_S;
  }

  /** Takes `cost` tokens, or says how many seconds until they will be there. */
  async take(key: string, cost: number, ratePerS = this.defaultRatePerS): Promise<Admission> {
    const capacity = Math.max(ratePerS * 2, MAX_BATCH_EVENTS);
    const refilled = (capacityAt: number, rateAt: number) =>
      `LEAST($${capacityAt}::float8, b.tokens + EXTRACT(EPOCH FROM clock_timestamp() - b.at) * $${rateAt}::float8)`;
    const taken: unknown[] = await this.db.query(
      `INSERT INTO rate_buckets AS b (bucket, tokens, at)
       VALUES ($1, $3::float8 - $2::float8, clock_timestamp())
       ON CONFLICT (bucket) DO UPDATE SET tokens = ${refilled(3, 4)} - $2::float8,
         at = clock_timestamp()
         WHERE ${refilled(3, 4)} >= $2::float8
       RETURNING b.tokens`,
      [key, cost, capacity, ratePerS],
    );
    if (taken.length > 0) return { ok: true };
    const [bucket]: { available: number }[] = await this.db.query(
      `SELECT ${refilled(2, 3)} AS available FROM rate_buckets b WHERE b.bucket = $1`,
      [key, capacity, ratePerS],
    );
    const available = bucket?.available ?? capacity;
    return { ok: false, retryAfterS: Math.max(0, (cost - available) / ratePerS) };
  }
}
