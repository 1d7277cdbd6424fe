import { Injectable } from '@nestjs/common';
import type { AlertSeverity } from '@refinery/contracts';
import { DataSource } from 'typeorm';
import type { CheckName } from './checks';
import { iso } from '../shared/values';

export interface AlertState {
  tenant: string;
  alert: CheckName;
  severity: AlertSeverity;
  firing: boolean;
  value: number;
  threshold: number;
  since: string;
  changed_at: string;
}

/** Each alert's last state, so that a restart announces nothing twice. */
@Injectable()
export class AlertStatesRepository {
  constructor(private readonly db: DataSource) {}

  /** Every alert the tenant has had, firing or not. */
  async list(tenant: string): Promise<AlertState[]> {
    const rows: AlertState[] = await this.db.query(
      `SELECT tenant, alert, severity, firing, value, threshold, since, changed_at
         FROM alert_states WHERE tenant = $1 ORDER BY alert, severity`,
      [tenant],
    );
    return rows.map((r) => ({ ...r, since: iso(r.since), changed_at: iso(r.changed_at) }));
  }

  async save(tenant: string, states: AlertState[]): Promise<void> {
    await this.db.query(
      `INSERT INTO alert_states (tenant, alert, severity, firing, value, threshold, since, changed_at)
       SELECT $1::text, a.* FROM json_to_recordset($2::json) AS a(alert text, severity text,
              firing boolean, value real, threshold real, since timestamptz, changed_at timestamptz)
       ON CONFLICT (tenant, alert, severity) DO UPDATE SET firing = EXCLUDED.firing,
         value = EXCLUDED.value, threshold = EXCLUDED.threshold, since = EXCLUDED.since,
         changed_at = EXCLUDED.changed_at`,
      [tenant, JSON.stringify(states)],
    );
  }
}
