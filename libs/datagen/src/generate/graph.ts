import type { DatagenSchema, Problems } from '../schema';

export interface Graph {
  /** Node names, every referenced node before the nodes referring to it. */
  order: string[];
  /** Each child node's parent: the node its rows fan out from. */
  parents: Map<string, string>;
  /** The one root node without a fixed row count. */
  driver: string;
}

/** The generation DAG, inferred from `ref` columns; a cycle is reported with its path. */
export function graphOf(schema: DatagenSchema, problems: Problems): Graph {
  const names = Object.keys(schema.nodes);
  const edges = new Map<string, string[]>(names.map((name) => [name, []]));
  const parents = new Map<string, string>();
  for (const [name, node] of Object.entries(schema.nodes)) {
    const refs: string[] = [];
    for (const [column, spec] of Object.entries(node.columns)) {
      if (spec.gen !== 'ref') continue;
      if (!(spec.node in schema.nodes)) {
        problems.add(`nodes.${name}.columns.${column}.node`, `no node named ${spec.node}`);
      } else refs.push(spec.node);
    }
    edges.set(name, refs);
    if (!node.fanout) continue;
    const parent = node.fanout.per ?? (new Set(refs).size === 1 ? refs[0] : undefined);
    if (parent === undefined) {
      problems.add(
        `nodes.${name}.fanout`,
        refs.length === 0
          ? 'a node with fanout needs a ref column to its parent'
          : `refers to ${[...new Set(refs)].join(' and ')}: say which is the parent with fanout.per`,
      );
    } else if (!refs.includes(parent)) {
      problems.add(`nodes.${name}.fanout.per`, `${name} has no ref column to ${parent}`);
    } else parents.set(name, parent);
    if (node.rows !== undefined) {
      problems.add(
        `nodes.${name}.rows`,
        'a node with fanout gets its rows from its parent; drop rows',
      );
    }
  }

  const order: string[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (name: string, path: string[]): void => {
    if (state.get(name) === 'done') return;
    if (state.get(name) === 'visiting') {
      const cycle = [...path.slice(path.indexOf(name)), name].join(' -> ');
      problems.add(`nodes.${name}`, `foreign keys form a cycle: ${cycle}`);
      return;
    }
    state.set(name, 'visiting');
    for (const target of edges.get(name) ?? []) visit(target, [...path, name]);
    state.set(name, 'done');
    order.push(name);
  };
  for (const name of names) visit(name, []);

  const drivers = names.filter(
    (name) => !schema.nodes[name].fanout && schema.nodes[name].rows === undefined,
  );
  if (drivers.length !== 1) {
    problems.add(
      'nodes',
      drivers.length === 0
        ? 'one root node must leave out `rows`: it grows until the run has its rows'
        : `only one root node may leave out \`rows\`; these do: ${drivers.join(', ')}`,
    );
  }
  return { order, parents, driver: drivers[0] };
}
