import { oncePerScrape, scrapedGauge, sharedCounter } from '../shared/scrape-metrics';
import { DIMENSIONS, type RuleType } from '../rules/rule-definition';
import type { LatestResult } from './runs.repository';

/** One per rule evaluated by a run: success when it passed, failure when it found rows or could not run. */
export const ruleRuns = sharedCounter({
  name: 'refinery_quality_rule_runs_total',
  help: 'Rule evaluations by a scheduled or API run, by whether the rule passed',
  labelNames: ['trigger', 'outcome'],
});

/**
 * Gauges read from the stored results when Prometheus scrapes, so they survive a restart
 * and follow every replica's runs; a deleted rule drops out.
 */
export function registerRuleMetrics(source: { latestResults(): Promise<LatestResult[]> }): void {
  const current = oncePerScrape(() => source.latestResults());
  const dimension = (r: LatestResult) => DIMENSIONS[r.type as RuleType] ?? 'custom';

  scrapedGauge(
    'refinery_quality_rule_unexpected_records',
    "Failing rows found by each rule's latest run",
    ['table', 'rule', 'severity', 'dimension'],
    async (set) => {
      for (const r of await current()) {
        if (r.unexpected === null) continue;
        const labels = { table: r.table ?? '', rule: r.rule, severity: r.severity };
        set({ ...labels, dimension: dimension(r) }, r.unexpected);
      }
    },
  );

  scrapedGauge(
    'refinery_quality_data_score',
    'Share of the rows passing, 0-100, over what the latest runs of a dimension judged',
    ['table', 'dimension'],
    async (set) => {
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
        set({ table, dimension: dim }, Math.round(score * 100) / 100);
      }
    },
  );
}
