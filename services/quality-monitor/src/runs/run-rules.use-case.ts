import { Injectable } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { RuleChecks } from '../rules/rule-checks';
import { ruleRuns } from './run-metrics';
import { RulesRepository } from '../rules/rules.repository';
import { RunsRepository } from './runs.repository';
import type { RuleResult } from '../rules/rule-result';
import { statisticsOf, type RunReport } from './run-report';
import { badField, notFound } from '@refinery/runtime';
import { isPayloadRule, type StoredRule } from '../rules/rule-definition';

/** Runs rules one after another (gentle on the database), then stores and counts the run. */
@Injectable()
export class RunRulesUseCase {
  constructor(
    private readonly rules: RulesRepository,
    private readonly runs: RunsRepository,
    private readonly checks: RuleChecks,
  ) {}

  /** The rules named (by id or name, enabled or not), or every enabled table rule. */
  async onDemand(names: string[]): Promise<RunReport> {
    if (names.length === 0) return this.execute('api');
    const rules = new Map<string, StoredRule>();
    for (const name of names) {
      const rule = await this.rules.find(name);
      if (!rule) throw notFound(`rule ${name} does not exist`);
      if (isPayloadRule(rule))
        throw badField(
          'rule',
          `${rule.name} checks records as they arrive; it has no table to run on`,
        );
      rules.set(rule.id, rule);
    }
    return this.execute('api', [...rules.values()]);
  }

  /** `selected` as asked for, or every enabled table rule. */
  async execute(trigger: RunReport['trigger'], selected?: StoredRule[]): Promise<RunReport> {
    const rules = selected ?? (await this.rules.enabledTableRules());
    const started_at = new Date().toISOString();
    const results: RuleResult[] = [];
    for (const rule of rules) results.push(await this.checks.run(rule));
    const statistics = statisticsOf(results);
    const report: RunReport = {
      id: randomUUID(),
      trigger,
      started_at,
      finished_at: new Date().toISOString(),
      success: statistics.unsuccessful === 0,
      statistics,
      results,
    };
    await this.runs.save(report);
    for (const r of results) ruleRuns.inc({ trigger, outcome: r.success ? 'success' : 'failure' });
    return report;
  }
}
