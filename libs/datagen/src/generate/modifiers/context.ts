import type { Problems } from '../../schema';
import type { ColumnEnv } from '../columns';
import type { CompiledNode, NodeHooks, Window } from '../model';

export interface ModifierContext {
  readonly seed: number;
  readonly horizon: Window;
  readonly problems: Problems;
  readonly nodes: Map<string, CompiledNode>;
  /** Where the modifier sits in the schema, for error messages. */
  readonly path: string;
  readonly env: ColumnEnv;
}

export type ModifierCompiler<M> = (
  modifier: M,
  node: CompiledNode,
  context: ModifierContext,
) => NodeHooks;

/** Index of a column the modifier writes; a missing one is reported and -1 returned. */
export function ownColumn(
  node: CompiledNode,
  name: string,
  context: ModifierContext,
  field: string,
): number {
  const index = node.columnIndex.get(name);
  if (index === undefined)
    context.problems.add(`${context.path}.${field}`, `${node.name} has no column ${name}`);
  return index ?? -1;
}

/** A share rounded for the truth file: enough digits to compare, few enough to read. */
export const share = (part: number, whole: number): number | null =>
  whole === 0 ? null : Math.round((part / whole) * 1e6) / 1e6;
