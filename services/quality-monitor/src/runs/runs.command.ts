import { z } from 'zod';
import { parseInput } from '@refinery/runtime';

const limit = z.coerce.number().int().min(1).max(1000).default(100);
const RunsQuerySchema = z.strictObject({ limit, trigger: z.enum(['schedule', 'api']).optional() });
const names = z.union([z.string(), z.array(z.string())]).optional();

/** `?rule=` (id or name, repeatable): the rules to run; none for every enabled table rule. */
export const ruleNamesOf = (rule: unknown): string[] => {
  const selected = parseInput(names, rule, 'rule');
  return selected === undefined ? [] : [selected].flat();
};

/** `GET runs?limit=&trigger=`. */
export const runsQueryOf = (query: unknown) => parseInput(RunsQuerySchema, query);
export type RunsQuery = ReturnType<typeof runsQueryOf>;

export const runIdOf = (id: string) => parseInput(z.uuid(), id, 'id');
