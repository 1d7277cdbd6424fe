import { Injectable } from '@nestjs/common';
import type { EventPayload } from '@refinery/contracts';
import { failingValues } from './payload-checks';
import { DIMENSIONS } from '../rules/rule-definition';
import { RulesRepository } from '../rules/rules.repository';
import { streamViolations } from './violation-metrics';
import { ViolationsRepository, type Violation } from './violations.repository';

type Received = EventPayload<'records.received'>;

/** Judges incoming record payloads by the enabled row-level rules on their record type. */
@Injectable()
export class StreamRulesUseCase {
  constructor(
    private readonly rules: RulesRepository,
    private readonly violations: ViolationsRepository,
  ) {}

  async execute(events: readonly Received[]): Promise<void> {
    const types = [...new Set(events.map((e) => e.data.record_type))];
    const rules = await this.rules.payloadRules(types);
    if (rules.length === 0) return;
    // Keyed by rule and record: a record redelivered within the batch is one violation.
    const found = new Map<string, Violation>();
    for (const event of events) {
      if (!event.record_id) continue;
      for (const rule of rules) {
        if (rule.record_type !== event.data.record_type || rule.type === 'custom_sql') continue;
        const values = failingValues(rule, event.data.payload);
        if (values.length === 0) continue;
        found.set(`${rule.id}:${event.record_id}`, {
          rule_id: rule.id,
          rule_name: rule.name,
          severity: rule.severity,
          dimension: DIMENSIONS[rule.type],
          tenant: event.tenant,
          record_id: event.record_id,
          record_type: event.data.record_type,
          field: rule.column,
          failing_values: values,
          occurred_at: event.occurred_at,
        });
      }
    }
    for (const v of await this.violations.record([...found.values()]))
      streamViolations.inc({ tenant: v.tenant, rule: v.rule_name, severity: v.severity });
  }
}
