import { Injectable } from '@nestjs/common';
import { badField, notFound, parseInput } from '@refinery/runtime';
import { DIMENSIONS, RuleSchema, type Rule, type StoredRule } from './rule-definition';
import type { RuleFilter, RulePatch } from './rules.command';
import { RuleChecks } from './rule-checks';
import { RulesRepository } from './rules.repository';

// The rule's own fields first: stored as jsonb, they come back in no particular order.
const view = ({ id, name, type, severity, enabled, table, ...rest }: StoredRule) => ({
  id,
  name,
  type,
  dimension: DIMENSIONS[type],
  severity,
  enabled,
  table,
  ...rest,
});

/** Creating and changing rules: each is checked against the catalog before it is stored. */
@Injectable()
export class ManageRulesUseCase {
  constructor(
    private readonly rules: RulesRepository,
    private readonly checks: RuleChecks,
  ) {}

  async create(rule: Rule) {
    await this.checks.validate(rule);
    return view(await this.rules.create(rule));
  }

  async list(filter: RuleFilter) {
    return { rules: (await this.rules.list(filter)).map(view) };
  }

  async get(idOrName: string) {
    return view(await this.require(idOrName));
  }

  /** Fields given replace the stored ones; null removes an optional one. The type stays. */
  async update(idOrName: string, patch: RulePatch) {
    const current = await this.require(idOrName);
    if ('type' in patch && patch.type !== current.type)
      throw badField('type', 'cannot change; create a new rule instead');
    const { id, created_at: _created, updated_at: _updated, ...definition } = current;
    for (const key of ['id', 'created_at', 'updated_at'])
      if (key in patch) throw badField(key, 'is set by the service');
    const merged = Object.fromEntries(
      Object.entries({ ...definition, ...patch }).filter(([, value]) => value !== null),
    );
    const rule = parseInput(RuleSchema, merged);
    await this.checks.validate(rule);
    const updated = await this.rules.update(id, rule);
    if (!updated) throw notFound(`rule ${idOrName} does not exist`);
    return view(updated);
  }

  async delete(idOrName: string): Promise<void> {
    const rule = await this.require(idOrName);
    await this.rules.delete(rule.id);
  }

  async require(idOrName: string): Promise<StoredRule> {
    const rule = await this.rules.find(idOrName);
    if (!rule) throw notFound(`rule ${idOrName} does not exist`);
    return rule;
  }
}
