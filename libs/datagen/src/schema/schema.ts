import { z } from 'zod';
import { DistributionSchema } from '../random';
import { ColumnSchema, IdentifierSchema } from './columns.schema';
import { NodeModifierSchema, TimeUnitSchema } from './modifiers.schema';

/**
 * How a node's rows become events for a running Refinery. Strings starting with `$` read a
 * column (`$total`) or an ancestor's (`$customers.email`); `{"$each": node, "as": {...}}`
 * lists the row's children of that node. Anything else is written as it is.
 */
export const PublishSchema = z.strictObject({
  /** The record type ingestion knows it by (`order`, `exception`), or `track`/`identify`. */
  type: z.string().regex(/^[a-z][a-z0-9_]*$/),
  external_id: z.string(),
  occurred_at: z.string(),
  data: z.record(z.string(), z.unknown()),
});
export type PublishSpec = z.infer<typeof PublishSchema>;

export const NodeSchema = z.strictObject({
  kind: z.enum(['entity', 'fact']),
  description: z.string().optional(),
  /** A fixed row count (a catalog such as products). The one root node without it grows until
   * the run has its number of rows. */
  rows: z.number().int().positive().optional(),
  primary_key: IdentifierSchema.optional(),
  columns: z.record(IdentifierSchema, ColumnSchema),
  /** Children per parent row; `per` names the parent when the node refers to several nodes. */
  fanout: z
    .strictObject({ per: IdentifierSchema.optional(), distribution: DistributionSchema })
    .optional(),
  /** The time column where the row's life starts; children's dates fall in its active window. */
  active_from: IdentifierSchema.optional(),
  modifiers: z.array(NodeModifierSchema).optional(),
  publish: PublishSchema.optional(),
});
export type NodeSpec = z.infer<typeof NodeSchema>;

export const DatagenSchemaSchema = z.strictObject({
  $schema: z.string().optional(),
  name: IdentifierSchema,
  description: z.string().optional(),
  horizon: z.strictObject({
    start: z.iso.datetime({ offset: true }),
    end: z.iso.datetime({ offset: true }),
    /** The period cohorts and retention are counted in. */
    period: TimeUnitSchema.default('month'),
  }),
  /** Rows in all when the command line does not say. */
  rows: z.number().int().positive().default(10_000),
  /** Nodes whose rows count as activity of the root entity in the retention truth; default
   * every descendant with `active_from`. */
  activity_nodes: z.array(IdentifierSchema).optional(),
  nodes: z.record(IdentifierSchema, NodeSchema).refine((nodes) => Object.keys(nodes).length > 0, {
    message: 'must declare at least one node',
  }),
});
export type DatagenSchema = z.infer<typeof DatagenSchemaSchema>;
