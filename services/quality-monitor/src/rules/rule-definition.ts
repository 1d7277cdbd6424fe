import { z } from 'zod';
import { IDENTIFIER, identifier, QUALIFIED_COLUMN, QUALIFIED_TABLE } from '../read-only/sql-names';

export const RULE_TYPES = [
  'not_null',
  'range',
  'regex',
  'accepted_values',
  'unique',
  'foreign_key',
  'custom_sql',
] as const;
export type RuleType = (typeof RULE_TYPES)[number];
export const SEVERITIES = ['info', 'warning', 'error', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** What each type measures: the `dimension` label of the metrics. */
export const DIMENSIONS = {
  not_null: 'completeness',
  range: 'validity',
  regex: 'validity',
  accepted_values: 'validity',
  unique: 'uniqueness',
  foreign_key: 'consistency',
  custom_sql: 'custom',
} as const satisfies Record<RuleType, string>;
export type Dimension = (typeof DIMENSIONS)[RuleType];

/** The types that judge one row alone, so they can judge a record payload as it streams by. */
export const ROW_LEVEL_TYPES: readonly RuleType[] = [
  'not_null',
  'range',
  'regex',
  'accepted_values',
];

/** The `table` of rules on incoming record payloads (records.received). */
export const PAYLOAD = 'payload';

/** A field of the payload: `customer.email`, `items[].sku` (every item), `items.0.sku`. */
const PAYLOAD_PATH = /^[A-Za-z0-9_]+(\[\])?(\.[A-Za-z0-9_]+(\[\])?)*$/;

const common = {
  name: z
    .string()
    .regex(/^[a-z0-9][a-z0-9_.-]{0,99}$/, 'must be 1-100 lower-case letters, digits, _, . or -'),
  description: z.string().max(2000).optional(),
  severity: z.enum(SEVERITIES).default('error'),
  enabled: z.boolean().default(true),
  table: z.string().refine((t) => t === PAYLOAD || QUALIFIED_TABLE.test(t), {
    message: `must be schema.table, or "${PAYLOAD}" for incoming records`,
  }),
  /** With table "payload": the record type whose payload the rule checks. */
  record_type: z.string().min(1).max(100).optional(),
  /** The primary key that names failing rows; found from the table when left out. */
  id_column: identifier.optional(),
};
const column = { ...common, column: z.string().min(1).max(300) };
const bound = z.union([z.number(), z.string().min(1).max(100)]);
const value = z.union([z.string().max(1000), z.number(), z.boolean()]);

export const RuleSchema = z
  .discriminatedUnion('type', [
    z.strictObject({ ...column, type: z.literal('not_null') }),
    z.strictObject({
      ...column,
      type: z.literal('range'),
      min: bound.optional(),
      max: bound.optional(),
    }),
    z.strictObject({ ...column, type: z.literal('regex'), pattern: z.string().min(1).max(1000) }),
    z.strictObject({
      ...column,
      type: z.literal('accepted_values'),
      values: z.array(value).min(1).max(1000),
    }),
    z.strictObject({ ...column, type: z.literal('unique') }),
    z.strictObject({
      ...column,
      type: z.literal('foreign_key'),
      references: z.string().regex(QUALIFIED_COLUMN, 'must be schema.table.column'),
    }),
    // The query returns the failing rows; `table`, when given, is what they are counted against.
    z.strictObject({
      ...common,
      table: common.table.optional(),
      type: z.literal('custom_sql'),
      sql: z.string().min(1).max(20_000),
    }),
  ])
  .superRefine((rule, ctx) => {
    const problem = (path: string, message: string) =>
      ctx.addIssue({ code: 'custom', path: [path], message });
    if (rule.type === 'range' && rule.min === undefined && rule.max === undefined)
      problem('min', 'a range needs min, max or both');
    if (rule.type === 'range' && typeof rule.min === 'number' && typeof rule.max === 'number')
      if (rule.min > rule.max) problem('max', 'must not be below min');
    if (rule.table !== PAYLOAD) {
      if (rule.record_type !== undefined)
        problem('record_type', `applies to table "${PAYLOAD}" only`);
      if (rule.type !== 'custom_sql' && !IDENTIFIER.test(rule.column))
        problem('column', 'must be a plain SQL name: letters, digits and _');
      return;
    }
    if (!ROW_LEVEL_TYPES.includes(rule.type))
      problem(
        'type',
        `${rule.type} does not apply to a record payload; ${ROW_LEVEL_TYPES.join(', ')} do`,
      );
    if (rule.record_type === undefined) problem('record_type', 'is required with table "payload"');
    if (rule.id_column !== undefined) problem('id_column', 'records are named by their record_id');
    if (rule.type === 'custom_sql') return;
    if (!PAYLOAD_PATH.test(rule.column))
      problem('column', 'must be a field path such as customer.email or items[].sku');
    if (rule.type === 'regex') {
      try {
        new RegExp(rule.pattern);
      } catch (error) {
        problem('pattern', (error as Error).message);
      }
    }
  });

export type Rule = z.infer<typeof RuleSchema>;
export type StoredRule = Rule & { id: string; created_at: string; updated_at: string };
export type TableRule = Exclude<Rule, { type: 'custom_sql' }>;

export const isPayloadRule = (rule: Rule) => rule.table === PAYLOAD;
