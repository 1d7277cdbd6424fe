import type { ColumnSpec as OutputColumn } from '../output';
import type { Random } from '../random';
import type { ColumnSpec, Curve, NodeSpec } from '../schema';

/** One generated row while its subtree is being generated. */
export interface RowContext {
  readonly node: CompiledNode;
  /** The row's number within its node, from 0. */
  readonly index: number;
  readonly values: unknown[];
  readonly parent: RowContext | undefined;
  /** The time range dates without bounds fall in: the parent's active window or one period of it. */
  readonly slot: Window;
  /** The row's own active window, known once its columns are: [active_from, churn or slot end). */
  window: Window;
  /** Periods of the parent's life when the row was made (vintage); 0 otherwise. */
  readonly age: number;
  /** Rows of child nodes, kept only when an expression or a publish template reads them. */
  children: Map<string, RowContext[]> | undefined;
}

export type Window = readonly [start: number, end: number];

export type ValueOf = (context: RowContext) => unknown;

export interface CompiledColumn {
  readonly name: string;
  readonly index: number;
  readonly spec: ColumnSpec;
  readonly output: OutputColumn;
  /** Filled in by the compiler once every column of every node is known. */
  generate: ValueOf;
  /** Reads children, so it is computed once they exist. */
  afterChildren: boolean;
}

/** What a node modifier adds to generation; each hook optional. */
export interface NodeHooks {
  /** Replaces a column's generator (adoption times, churn dates, variants...). */
  overrides?: Map<string, ValueOf>;
  /** Multiplies the number of children a parent gets (segment fanout). */
  fanoutMultiplier?: (parent: RowContext) => number;
  /** Told how many rows a parent got (per period of its life under vintage). */
  onFanout?: (parent: RowContext, age: number, count: number) => void;
  /** Splits one unit of fanout into rows with preset values (funnel steps, journey touches). */
  expand?: (unit: { parent: RowContext | undefined; slot: Window }) => Array<Map<number, unknown>>;
  /** Multiplies a column's values (segment and vintage value multipliers), in modifier order. */
  valueMultiplier?: (column: string) => ((row: RowContext) => number) | undefined;
  /** Sees every finished row, to count what the truth file reports. */
  observe?: (row: RowContext) => void;
  truth?: () => unknown;
}

export interface CompiledNode {
  readonly name: string;
  readonly spec: NodeSpec;
  readonly columns: CompiledColumn[];
  readonly columnIndex: Map<string, number>;
  readonly parent: CompiledNode | undefined;
  readonly children: CompiledNode[];
  readonly primaryKey: CompiledColumn | undefined;
  /** Index of the active_from column, or -1. */
  readonly activeFrom: number;
  /** Column holding the churn date, or -1: it ends the active window when set. */
  activeUntil: number;
  hooks: NodeHooks[];
  keepsChildren: Set<string>;
  /** Vintage: rows come period by period of the parent's life. */
  vintage: { periodMs: number; fanoutCurve: Curve | undefined } | undefined;
  /** Count of rows per parent (or per period under vintage). */
  fanout: ((random: Random) => number) | undefined;
  /** The node's own rows generated so far. */
  count: number;
}
