import { streamOf, type Random } from '../random';
import { curveAt } from './curves';
import type { CompiledNode, RowContext, Window } from './model';
import type { Plan } from './plan';

/** Where finished rows go: files, the validator, the truth collectors, a publisher. */
export interface RowListener {
  /** A row's key exists as soon as its columns do, before its children refer to it. */
  onKey?(row: RowContext): void;
  onRow(row: RowContext): void;
}

export interface RunOptions {
  /** Rows in all, every node counted; the driver grows until the run has them. */
  rows: number;
  listeners: RowListener[];
  /** Awaited between root rows, so a slow consumer (a publisher) bounds memory. */
  pause?: () => Promise<void> | undefined;
  /** Called now and then with the rows made so far. */
  progress?: (rows: number) => void;
}

/**
 * Generates depth first: each root row, then its children (and theirs) right after it, so only
 * one subtree is in memory however many rows the run makes. Every node, column and modifier draws
 * from its own stream, consumed in this order, which makes the output a function of the seed.
 */
export class Engine {
  private rows = 0;
  private readonly fanoutStreams = new Map<CompiledNode, Random>();

  constructor(
    private readonly plan: Plan,
    private readonly options: RunOptions,
  ) {
    for (const node of plan.nodes) fanoutStreams(this.fanoutStreams, node, plan.seed);
  }

  async run(): Promise<Record<string, number>> {
    const { plan, options } = this;
    for (const catalog of plan.catalogs) {
      for (let i = 0; i < (catalog.spec.rows as number); i++)
        this.make(catalog, undefined, plan.horizon, 0);
    }
    let roots = 0;
    while (this.rows < options.rows) {
      this.make(plan.driver, undefined, plan.horizon, 0);
      if (++roots % 256 === 0) {
        options.progress?.(this.rows);
        const pause = options.pause?.();
        if (pause) await pause;
      }
    }
    options.progress?.(this.rows);
    return Object.fromEntries(plan.nodes.map((node) => [node.name, node.count]));
  }

  private make(
    node: CompiledNode,
    parent: RowContext | undefined,
    slot: Window,
    age: number,
    presets?: Map<number, unknown>,
  ): RowContext {
    const values: unknown[] = new Array(node.columns.length);
    const row: RowContext = {
      node,
      index: node.count++,
      values,
      parent,
      slot,
      window: slot,
      age,
      children: undefined,
    };
    let deferred = false;
    for (const column of node.columns) {
      if (column.afterChildren) deferred = true;
      else
        values[column.index] = presets?.has(column.index)
          ? presets.get(column.index)
          : column.generate(row);
    }
    const until = node.activeUntil >= 0 ? values[node.activeUntil] : null;
    row.window = [
      node.activeFrom >= 0 ? Number(values[node.activeFrom]) : slot[0],
      until === null || until === undefined ? slot[1] : Number(until),
    ];
    for (const listener of this.options.listeners) listener.onKey?.(row);
    if (node.children.length > 0) {
      if (node.keepsChildren.size > 0) row.children = new Map();
      for (const child of node.children) this.fanout(child, row);
    }
    if (deferred) {
      for (const column of node.columns)
        if (column.afterChildren) values[column.index] = column.generate(row);
    }
    for (const hooks of node.hooks) hooks.observe?.(row);
    for (const listener of this.options.listeners) listener.onRow(row);
    this.rows++;
    if (parent?.children && parent.node.keepsChildren.has(node.name)) {
      const siblings = parent.children.get(node.name);
      if (siblings) siblings.push(row);
      else parent.children.set(node.name, [row]);
    }
    return row;
  }

  /** A parent's rows of one child node: per its life's periods under vintage, else at once. */
  private fanout(child: CompiledNode, parent: RowContext): void {
    const random = this.fanoutStreams.get(child) as Random;
    const draw = child.fanout as (random: Random) => number;
    let multiplier = 1;
    for (const hooks of child.hooks)
      if (hooks.fanoutMultiplier) multiplier *= hooks.fanoutMultiplier(parent);
    const [start, end] = parent.window;
    if (!child.vintage) {
      this.units(child, parent, parent.window, 0, roundedCount(draw(random) * multiplier, random));
      return;
    }
    const { periodMs, fanoutCurve } = child.vintage;
    for (let age = 0; start + age * periodMs < end; age++) {
      const from = start + age * periodMs;
      const count = roundedCount(draw(random) * curveAt(fanoutCurve, age) * multiplier, random);
      this.units(child, parent, [from, Math.min(end, from + periodMs)], age, count);
    }
  }

  private units(
    child: CompiledNode,
    parent: RowContext,
    slot: Window,
    age: number,
    count: number,
  ): void {
    for (const hooks of child.hooks) hooks.onFanout?.(parent, age, count);
    const expand = child.hooks.find((hooks) => hooks.expand)?.expand;
    for (let i = 0; i < count; i++) {
      if (!expand) this.make(child, parent, slot, age);
      else
        for (const presets of expand({ parent, slot }))
          this.make(child, parent, slot, age, presets);
    }
  }
}

/** A non-integer count rounds up with the probability of its fraction, so the mean is exact. */
function roundedCount(x: number, random: Random): number {
  if (!(x > 0)) return 0;
  const whole = Math.floor(x);
  return whole === x ? whole : whole + (random.next() < x - whole ? 1 : 0);
}

function fanoutStreams(streams: Map<CompiledNode, Random>, node: CompiledNode, seed: number): void {
  streams.set(node, streamOf(seed, node.name, '#fanout'));
}
