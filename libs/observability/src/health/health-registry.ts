import { Injectable } from '@nestjs/common';

/** A dependency the service cannot serve without (Postgres, NATS). */
export interface ReadinessCheck {
  readonly name: string;
  /** Resolves when healthy; rejects with an error saying what is wrong. */
  check(): Promise<void>;
}

/** Modules register their checks here; `/health/ready` runs them all. */
@Injectable()
export class HealthRegistry {
  private readonly checks = new Map<string, ReadinessCheck>();

  register(check: ReadinessCheck): void {
    this.checks.set(check.name, check);
  }

  list(): ReadinessCheck[] {
    return [...this.checks.values()];
  }
}
