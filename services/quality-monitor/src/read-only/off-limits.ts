import { problemFor, ProblemException } from '@refinery/runtime';
import { SCHEMA } from '../data-source';
import { offLimitsProblem } from './sql-guard';

/** Tenants and API keys, which every service reads (deploy/services.json `sharedSchema`). */
const AUTH_SCHEMA = 'auth';

/**
 * Schemas no rule, profile or cleanse touches, whatever the read-only role has been granted:
 * the monitor's own (rule results, record states) and the tenants and their API keys.
 */
export const OFF_LIMITS_SCHEMAS: readonly string[] = [SCHEMA, AUTH_SCHEMA];

export const isOffLimits = (schema: string) => OFF_LIMITS_SCHEMAS.includes(schema.toLowerCase());

/** 403 for reading `schema.relation`; `path` is the field of the request that named it. */
export function offLimits(schema: string, relation?: string, path?: string): ProblemException {
  const message = offLimitsProblem(schema, relation);
  const errors = path ? { errors: [{ path, message }] } : {};
  return new ProblemException(problemFor(403, path ? `${path}: ${message}` : message, errors));
}

interface PlanNode {
  Schema?: string;
  'Relation Name'?: string;
  Plans?: PlanNode[];
}

/**
 * The first relation off limits that a plan (EXPLAIN (VERBOSE, FORMAT JSON)) reads, views
 * expanded: a view in a readable schema can still select from one that is not.
 */
export function offLimitsRelationIn(
  plan: unknown,
): { schema: string; relation: string } | undefined {
  const nodes: PlanNode[] = (Array.isArray(plan) ? plan : [plan]).map(
    (entry: { Plan?: PlanNode }) => entry?.Plan ?? {},
  );
  while (nodes.length > 0) {
    const node = nodes.pop()!;
    if (node.Schema && node['Relation Name'] && isOffLimits(node.Schema))
      return { schema: node.Schema, relation: node['Relation Name'] };
    nodes.push(...(node.Plans ?? []));
  }
  return undefined;
}
