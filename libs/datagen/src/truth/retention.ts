import type { RowListener } from '../generate/engine';
import type { CompiledNode, RowContext } from '../generate/model';
import type { Plan } from '../generate/plan';
import { DAY } from '../generate/time';

const PAGE = 4096;
const RETENTION_DAYS = [1, 7, 30] as const;

/**
 * The retention an analytics engine should find in the output: each root entity's active days
 * (the `active_from` day of its rows in the activity nodes), cohorts by the calendar period of
 * the first active day (UTC), the share active in each later calendar month, and D1/D7/D30
 * retention, N-day (active on exactly day N) and unbounded (on day N or later).
 */
export class RetentionTruth implements RowListener {
  private readonly pages: Uint8Array[] = [];
  private readonly bytes: number;
  private readonly firstDay: number;
  private readonly days: number;
  private readonly activity: Set<CompiledNode>;

  constructor(private readonly plan: Plan) {
    this.firstDay = Math.floor(plan.horizon[0] / DAY);
    this.days = Math.ceil(plan.horizon[1] / DAY) - this.firstDay;
    this.bytes = Math.ceil(this.days / 8);
    const named = plan.schema.activity_nodes;
    this.activity = new Set(
      plan.nodes.filter((node) =>
        named ? named.includes(node.name) : node.activeFrom >= 0 && isBelow(node, plan.driver),
      ),
    );
  }

  get nodes(): string[] {
    return [...this.activity].map((node) => node.name);
  }

  onRow(row: RowContext): void {
    if (!this.activity.has(row.node)) return;
    let root = row;
    while (root.parent) root = root.parent;
    if (root.node !== this.plan.driver) return;
    const day = Math.floor(Number(row.values[row.node.activeFrom]) / DAY) - this.firstDay;
    if (!(day >= 0 && day < this.days)) return;
    const page = (this.pages[Math.floor(root.index / PAGE)] ??= new Uint8Array(PAGE * this.bytes));
    page[(root.index % PAGE) * this.bytes + (day >> 3)] |= 1 << (day & 7);
  }

  truth(): unknown {
    const unit = this.plan.schema.horizon.period;
    const cohorts = new Map<
      string,
      { users: number; months: number[]; retained: Record<string, number[]> }
    >();
    const active = new Uint8Array(this.days);
    for (let entity = 0; entity < this.pages.length * PAGE; entity++) {
      const page = this.pages[Math.floor(entity / PAGE)];
      if (!page) continue;
      const offset = (entity % PAGE) * this.bytes;
      let first = -1;
      for (let d = 0; d < this.days; d++) {
        active[d] = (page[offset + (d >> 3)] >> (d & 7)) & 1;
        if (first < 0 && active[d]) first = d;
      }
      if (first < 0) continue;
      const firstMs = (this.firstDay + first) * DAY;
      const key = cohortKey(firstMs, unit);
      let c = cohorts.get(key);
      if (!c) cohorts.set(key, (c = { users: 0, months: [], retained: {} }));
      c.users++;
      const startMonth = monthIndex(firstMs);
      const seen = new Set<number>();
      let last = first;
      for (let d = first; d < this.days; d++) {
        if (!active[d]) continue;
        last = d;
        seen.add(monthIndex((this.firstDay + d) * DAY) - startMonth);
      }
      for (const k of seen) c.months[k] = (c.months[k] ?? 0) + 1;
      for (const n of RETENTION_DAYS) {
        // [eligible, active on day n, active on day n or later]
        const r = (c.retained[`d${n}`] ??= [0, 0, 0]);
        if (first + n >= this.days) continue;
        r[0]++;
        if (active[first + n]) r[1]++;
        if (last >= first + n) r[2]++;
      }
    }
    const rate = (part: number, whole: number) =>
      whole === 0 ? null : Math.round((part / whole) * 1e6) / 1e6;
    return {
      activity_nodes: this.nodes,
      cohort_unit: unit,
      calendar: 'UTC; months and weeks (from Monday) are calendar periods',
      cohorts: [...cohorts.entries()].sort().map(([cohort, c]) => ({
        cohort,
        users: c.users,
        active_by_month: Array.from(c.months, (n) => n ?? 0),
        retention_by_month: Array.from(c.months, (n) => rate(n ?? 0, c.users)),
        days: Object.fromEntries(
          Object.entries(c.retained).map(([d, [eligible, nDay, unbounded]]) => [
            d,
            { eligible, n_day: rate(nDay, eligible), unbounded: rate(unbounded, eligible) },
          ]),
        ),
      })),
    };
  }
}

function isBelow(node: CompiledNode, root: CompiledNode): boolean {
  for (let a = node.parent; a; a = a.parent) if (a === root) return true;
  return false;
}

const monthIndex = (ms: number): number => {
  const date = new Date(ms);
  return date.getUTCFullYear() * 12 + date.getUTCMonth();
};

function cohortKey(ms: number, unit: string): string {
  const date = new Date(ms);
  if (unit === 'year') return String(date.getUTCFullYear());
  if (unit === 'week') {
    const monday = new Date(ms - ((date.getUTCDay() + 6) % 7) * DAY);
    return monday.toISOString().slice(0, 10);
  }
  if (unit === 'day' || unit === 'hour') return date.toISOString().slice(0, 10);
  return date.toISOString().slice(0, 7);
}
