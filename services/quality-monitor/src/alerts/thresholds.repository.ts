import { Injectable } from '@nestjs/common';
import type { AlertSeverity } from '@refinery/contracts';
import { DataSource } from 'typeorm';
import type { CheckName } from './checks';

export interface ThresholdOverride {
  check_name: CheckName;
  severity: AlertSeverity;
  /** null removes the override: the default applies again. */
  value: number | null;
}

/** A tenant's own thresholds, over the defaults. */
@Injectable()
export class ThresholdsRepository {
  constructor(private readonly db: DataSource) {}

  overrides(tenant: string): Promise<ThresholdOverride[]> {
    return this.db.query(
      `SELECT check_name, severity, value FROM tenant_thresholds WHERE tenant = $1`,
      [tenant],
    );
  }

  /** All or nothing. */
  async save(tenant: string, overrides: ThresholdOverride[]): Promise<void> {
    await this.db.transaction(async (tx) => {
      for (const { check_name, severity, value } of overrides) {
        if (value === null) {
          await tx.query(
            `DELETE FROM tenant_thresholds WHERE tenant = $1 AND check_name = $2 AND severity = $3`,
            [tenant, check_name, severity],
          );
        } else {
          await tx.query(
            `INSERT INTO tenant_thresholds (tenant, check_name, severity, value) VALUES ($1, $2, $3, $4)
             ON CONFLICT (tenant, check_name, severity)
             DO UPDATE SET value = EXCLUDED.value, updated_at = now()`,
            [tenant, check_name, severity, value],
          );
        }
      }
    });
  }
}
