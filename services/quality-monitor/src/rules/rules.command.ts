import { z } from 'zod';
import { parseInput } from '@refinery/runtime';
import { RULE_TYPES, RuleSchema, type Rule } from './rule-definition';

const ListFilterSchema = z.object({
  table: z.string().max(200).optional(),
  type: z.enum(RULE_TYPES).optional(),
});
const PatchSchema = z.record(z.string(), z.unknown());

export type RuleFilter = z.infer<typeof ListFilterSchema>;
/** Fields to replace; null removes an optional one. Checked whole once merged. */
export type RulePatch = z.infer<typeof PatchSchema>;

export const ruleOf = (body: unknown): Rule => parseInput(RuleSchema, body);
export const ruleFilterOf = (query: unknown): RuleFilter => parseInput(ListFilterSchema, query);
export const rulePatchOf = (body: unknown): RulePatch => parseInput(PatchSchema, body);
