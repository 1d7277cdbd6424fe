import type { ColumnEnv } from '../columns';
import type { CompiledNode, NodeHooks } from '../model';
import { adoption } from './adoption';
import { attribution } from './attribution';
import { churn } from './churn';
import type { ModifierCompiler, ModifierContext } from './context';
import { experiment } from './experiment';
import { funnel } from './funnel';
import { segmentBehavior } from './segment';
import { vintageBehavior } from './vintage';

const COMPILERS: Record<string, ModifierCompiler<never>> = {
  segment_behavior: segmentBehavior,
  vintage_behavior: vintageBehavior,
  adoption,
  churn,
  funnel,
  attribution,
  experiment,
};

/** Turns a node's modifiers into generation hooks, in the order they are listed. */
export function compileModifiers(
  node: CompiledNode,
  env: ColumnEnv,
  base: Omit<ModifierContext, 'path' | 'env'>,
): void {
  const expanders = (node.spec.modifiers ?? []).filter((m) =>
    ['funnel', 'attribution', 'experiment'].includes(m.type),
  );
  if (expanders.length > 1) {
    base.problems.add(
      `nodes.${node.name}.modifiers`,
      'one process (funnel, attribution or experiment) per node',
    );
  }
  node.spec.modifiers?.forEach((modifier, i) => {
    const context = { ...base, env, path: `nodes.${node.name}.modifiers[${i}]` };
    const hooks: NodeHooks = COMPILERS[modifier.type](modifier as never, node, context);
    node.hooks.push(hooks);
  });
}
