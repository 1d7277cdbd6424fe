import type { ColumnType } from '../output';
import { samplerOf, type Random } from '../random';
import { type DatagenSchema, Problems } from '../schema';
import { compileColumn, outputTypeOf, sequenceAt, type ColumnEnv } from './columns';
import { graphOf } from './graph';
import { readerOf } from './read';
import type { CompiledColumn, CompiledNode, ValueOf, Window } from './model';
import { compileModifiers } from './modifiers';
import { toMs, UNIT_MS } from './time';
import { uuidAt } from './uuid';

export interface Plan {
  readonly schema: DatagenSchema;
  readonly seed: number;
  readonly horizon: Window;
  readonly periodMs: number;
  /** Every node, parents before children. */
  readonly nodes: CompiledNode[];
  /** Root nodes with a fixed row count, generated first (catalogs). */
  readonly catalogs: CompiledNode[];
  /** The root that grows until the run has its rows. */
  readonly driver: CompiledNode;
  /** Column-level sections of the truth file (label noise, trends), by `node.column`. */
  readonly truths: Map<string, () => unknown>;
}

/** Checks the schema's meaning (references, the DAG, modifiers) and compiles generators. */
export function compilePlan(schema: DatagenSchema, seed: number): Plan {
  const problems = new Problems();
  const horizon: Window = [toMs(schema.horizon.start), toMs(schema.horizon.end)];
  if (horizon[1] <= horizon[0]) problems.add('horizon.end', 'must be after horizon.start');
  const graph = graphOf(schema, problems);
  problems.throwIfAny();

  const nodes = new Map<string, CompiledNode>();
  const truths = new Map<string, () => unknown>();
  for (const name of graph.order) {
    const spec = schema.nodes[name];
    const columnNames = Object.keys(spec.columns);
    const parent = graph.parents.get(name);
    const node: CompiledNode = {
      name,
      spec,
      columns: [],
      columnIndex: new Map(columnNames.map((column, index) => [column, index])),
      parent: parent === undefined ? undefined : nodes.get(parent),
      children: [],
      primaryKey: undefined,
      activeFrom: spec.active_from === undefined ? -1 : columnNames.indexOf(spec.active_from),
      activeUntil: -1,
      hooks: [],
      keepsChildren: new Set(),
      vintage: undefined,
      fanout: spec.fanout ? samplerOf(spec.fanout.distribution) : undefined,
      count: 0,
    };
    if (spec.active_from !== undefined && node.activeFrom < 0) {
      problems.add(`nodes.${name}.active_from`, `names no column of ${name}`);
    }
    node.parent?.children.push(node);
    nodes.set(name, node);
  }

  const typeOf = (from: CompiledNode, name: string): ColumnType | undefined => {
    const [owner, column] = name.includes('.') ? name.split('.', 2) : [from.name, name];
    const target = nodes.get(owner);
    if (column === '#key') {
      const key = target?.spec.primary_key;
      return key ? target.columns[target.columnIndex.get(key) ?? -1]?.output.type : undefined;
    }
    return target?.columns[target.columnIndex.get(column) ?? -1]?.output.type;
  };
  for (const node of nodes.values()) {
    Object.entries(node.spec.columns).forEach(([name, spec], index) => {
      const column: CompiledColumn = {
        name,
        index,
        spec,
        output: { name, type: outputTypeOf(spec, (other) => typeOf(node, other)) },
        generate: () => null,
        afterChildren: false,
      };
      node.columns.push(column);
    });
    const key = node.spec.primary_key;
    if (key !== undefined) {
      const column = node.columns[node.columnIndex.get(key) ?? -1];
      if (!column)
        problems.add(`nodes.${node.name}.primary_key`, `names no column of ${node.name}`);
      else if (column.spec.gen !== 'sequence' && column.spec.gen !== 'uuid') {
        problems.add(`nodes.${node.name}.primary_key`, 'must be a sequence or uuid column');
      } else (node as { primaryKey?: CompiledColumn }).primaryKey = column;
    }
  }
  problems.throwIfAny();

  for (const node of nodes.values()) {
    const env = envOf(node, nodes, seed, truths);
    compileModifiers(node, env(undefined), { seed, horizon, problems, nodes });
    for (const column of node.columns) {
      const path = `nodes.${node.name}.columns.${column.name}`;
      try {
        column.generate = compileColumn(column, env(column), horizon);
      } catch (error) {
        problems.add(path, (error as Error).message);
      }
      const override = node.hooks.find((hook) => hook.overrides?.has(column.name))?.overrides;
      if (override) column.generate = override.get(column.name) as ValueOf;
    }
  }
  problems.throwIfAny();

  const all = [...nodes.values()];
  return {
    schema,
    seed,
    horizon,
    periodMs: UNIT_MS[schema.horizon.period],
    nodes: all,
    catalogs: all.filter((node) => !node.parent && node.spec.rows !== undefined),
    driver: nodes.get(graph.driver) as CompiledNode,
    truths,
  };
}

/** The environment each column of `node` compiles in; `column` marks what it may read. */
function envOf(
  node: CompiledNode,
  nodes: Map<string, CompiledNode>,
  seed: number,
  truths: Map<string, () => unknown>,
) {
  return (current: CompiledColumn | undefined): ColumnEnv => ({
    seed,
    node,
    read: (name) => readerOf(node, name, nodes, current),
    children: (childName, column) => {
      const child = node.children.find((c) => c.name === childName);
      if (!child) throw new Error(`${childName} is not a child node of ${node.name}`);
      const index = column === undefined ? -1 : child.columnIndex.get(column);
      if (index === undefined) throw new Error(`${childName} has no column ${column}`);
      node.keepsChildren.add(childName);
      if (current) current.afterChildren = true;
      return (row) =>
        (row.children?.get(childName) ?? []).map((c) => (index < 0 ? 1 : c.values[index]));
    },
    ref: (target, random) => refOf(node, target, nodes, seed, random),
    valueMultipliers: (column) =>
      node.hooks.flatMap((hook) => {
        const multiplier = hook.valueMultiplier?.(column);
        return multiplier ? [multiplier] : [];
      }),
    report: (key, truth) => truths.set(key, truth),
    valuesOf: (name) => {
      const spec = node.spec.columns[name];
      return spec?.gen === 'categorical' ? spec.values : undefined;
    },
  });
}

/** An ancestor's key, or a uniformly chosen row of a catalog node, recomputed from its index. */
function refOf(
  node: CompiledNode,
  target: string,
  nodes: Map<string, CompiledNode>,
  seed: number,
  random: Random,
): ValueOf {
  const owner = nodes.get(target) as CompiledNode;
  const key = owner.primaryKey;
  if (!key) throw new Error(`${target} has no primary_key to refer to`);
  for (let a: CompiledNode | undefined = node.parent; a; a = a.parent) {
    if (a === owner) return readerOf(node, `${target}.${key.name}`, nodes);
  }
  const rows = owner.spec.rows;
  if (owner.parent || rows === undefined) {
    throw new Error(
      `${target} is neither an ancestor of ${node.name} nor a catalog (a root node with fixed rows)`,
    );
  }
  const keyAt =
    key.spec.gen === 'sequence'
      ? sequenceAt(key.spec)
      : (row: { index: number }) => uuidAt(seed, `${owner.name}.${key.name}`, row.index);
  const at = { index: 0 };
  return () => {
    at.index = Math.floor(random.next() * rows);
    return keyAt(at);
  };
}
