import { Counter, Gauge, register } from 'prom-client';
import { DIMENSIONS, type RuleType } from './rule-definition';
import type { LatestResult } from './runs.repository';

const counter = <L extends string>(name: string, help: string, labelNames: L[]): Counter<L> =>
  (register.getSingleMetric(name) as Counter<L> | undefined) ??
  new Counter({ name, help, labelNames });

/** One per rule evaluated by a run: success when it passed, failure when it found rows or could not run. */
export const ruleRuns = counter(
  'refinery_quality_rule_runs_total',
  'Rule evaluations by a scheduled or API run, by whether the rule passed',
  ['trigger', 'outcome'],
);

export const streamViolations = counter(
  'refinery_quality_stream_violations_total',
  'Incoming records that broke a payload rule, counted once per rule and record',
  ['tenant', 'rule', 'severity'],
);

const UNEXPECTED = 'refinery_quality_rule_unexpected_records';
const SCORE = 'refinery_quality_data_score';

/**
 * Gauges read from the stored results when Prometheus scrapes, so they survive a restart
 * and follow every replica's runs; a deleted rule drops out.
 */
export function registerRuleMetrics(source: { latestResults(): Promise<LatestResult[]> }): void {
  let latest: Promise<LatestResult[]> | undefined;
  // Both gauges' collect run in the same scrape; they share one query.
  const current = () =>
    (latest ??= source.latestResults().finally(() => {
      setTimeout(() => (latest = undefined), 1_000).unref();
    }));
  const dimension = (r: LatestResult) => DIMENSIONS[r.type as RuleType] ?? 'custom';

  register.removeSingleMetric(UNEXPECTED);
  new Gauge({
    name: UNEXPECTED,
    help: "Failing rows found by each rule's latest run",
    labelNames: ['table', 'rule', 'severity', 'dimension'],
    async collect() {
      this.reset();
      for (const r of await current()) {
        if (r.unexpected === null) continue;
        const labels = { table: r.table ?? '', rule: r.rule, severity: r.severity };
        this.set({ ...labels, dimension: dimension(r) }, r.unexpected);
      }
    },
  });

  register.removeSingleMetric(SCORE);
  new Gauge({
    name: SCORE,
    help: 'Share of the rows passing, 0-100, over what the latest runs of a dimension judged',
    labelNames: ['table', 'dimension'],
    async collect() {
      this.reset();
      const sums = new Map<string, { judged: number; unexpected: number }>();
      for (const r of await current()) {
        if (r.judged === null || r.unexpected === null || r.table === null) continue;
        const key = `${r.table}\n${dimension(r)}`;
        const sum = sums.get(key) ?? { judged: 0, unexpected: 0 };
        sums.set(key, { judged: sum.judged + r.judged, unexpected: sum.unexpected + r.unexpected });
      }
      for (const [key, { judged, unexpected }] of sums) {
        if (judged === 0) continue;
        const [table, dim] = key.split('\n');
        const score = Math.max(0, (100 * (judged - unexpected)) / judged);
        this.set({ table, dimension: dim }, Math.round(score * 100) / 100);
      }
    },
  });
}
