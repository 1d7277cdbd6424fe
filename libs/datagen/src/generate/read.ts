import type { CompiledColumn, CompiledNode, RowContext, ValueOf } from './model';

/** The node that owns `name`: `owner.col` names it; a bare `col` is this node's column or, when it
 * has none, the nearest ancestor's (a segment is inherited this way). */
export function ownerOf(node: CompiledNode, name: string): [owner: string, column: string] {
  if (name.includes('.')) return name.split('.', 2) as [string, string];
  for (let a: CompiledNode | undefined = node; a; a = a.parent) {
    if (a.columnIndex.has(name)) return [a.name, name];
  }
  return [node.name, name];
}

/** Reads `col` (this row, declared before `current`) or `node.col` (this row or an ancestor). */
export function readerOf(
  node: CompiledNode,
  name: string,
  nodes: Map<string, CompiledNode>,
  current?: CompiledColumn,
): ValueOf {
  const [owner, column] = ownerOf(node, name);
  let levels = 0;
  let target: CompiledNode | undefined = node;
  while (target && target.name !== owner) {
    target = target.parent;
    levels++;
  }
  if (!target) {
    const known = nodes.has(owner)
      ? `${owner} is not ${node.name} or one of its ancestors`
      : `no node ${owner}`;
    throw new Error(`cannot read ${name}: ${known}`);
  }
  const index = target.columnIndex.get(column);
  if (index === undefined) throw new Error(`cannot read ${name}: ${owner} has no column ${column}`);
  if (levels === 0 && current && index >= current.index) {
    throw new Error(`reads ${column}, which is declared after it; declare ${column} first`);
  }
  if (levels === 0) return (row) => row.values[index];
  if (levels === 1) return (row) => (row.parent as RowContext).values[index];
  return (row) => {
    let r = row;
    for (let i = 0; i < levels; i++) r = r.parent as RowContext;
    return r.values[index];
  };
}
