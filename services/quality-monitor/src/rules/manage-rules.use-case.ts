import { Injectable } from '@nestjs/common';
import { z } from 'zod';
import { badField, notFound, parseInput } from '../problems';
import { DIMENSIONS, RULE_TYPES, RuleSchema, type StoredRule } from './rule-definition';
import { RuleChecks } from './rule-checks';
import { RulesRepository } from './rules.repository';

const ListFilterSchema = z.object({
  table: z.string().max(200).optional(),
  type: z.enum(RULE_TYPES).optional(),
});

const PatchSchema = z.record(z.string(), z.unknown());

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

  async create(body: unknown) {
    const rule = parseInput(RuleSchema, body);
    await this.checks.validate(rule);
    return view(await this.rules.create(rule));
  }

  async list(query: unknown) {
    return { rules: (await this.rules.list(parseInput(ListFilterSchema, query))).map(view) };
  }

  async get(idOrName: string) {
    return view(await this.require(idOrName));
  }

  /** Fields given replace the stored ones; null removes an optional one. The type stays. */
  async update(idOrName: string, body: unknown) {
    const current = await this.require(idOrName);
    const patch = parseInput(PatchSchema, body);
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
