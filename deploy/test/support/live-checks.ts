import { queriesOf, type Dashboard } from './dashboards';
import type { DeadCheck, LiveCheck } from './live-prometheus';
import { metricNames } from './promql';

const GRAFANA_INTERVALS: Record<string, string> = {
  __rate_interval: '1m',
  __interval: '1m',
  __interval_ms: '60000',
  __range: '1h',
  __range_s: '3600',
  __range_ms: '3600000',
};

/**
 * A panel query as Grafana sends it with every variable at "All": interval and range macros
 * get values, and the dashboard's own variables their `.*` all-value.
 */
export function asGrafanaSends(expr: string): string {
  return expr.replace(
    /\$\{(\w+)(?::\w+)?\}|\[\[(\w+)\]\]|\$(\w+)/g,
    (_, braced?: string, bracketed?: string, bare?: string) => {
      const name = braced ?? bracketed ?? bare ?? '';
      return GRAFANA_INTERVALS[name] ?? '.*';
    },
  );
}

const STRING = /"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g;
const MATCHER = /([A-Za-z_]\w*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')/g;

/**
 * Every series selector in an expression, as written (`name{matchers}`), so each can be
 * queried alone. Matchers that match one of `relax` are left out of the returned selector.
 */
export function seriesSelectors(expr: string, relax: readonly RegExp[] = []): string[] {
  // Blank string contents (keeping offsets) so names and braces inside strings are not read.
  const blanked = expr.replace(STRING, (s) => `${s[0]}${' '.repeat(s.length - 2)}${s[0]}`);
  const found = new Set<string>();
  for (const name of metricNames(expr)) {
    const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pattern = new RegExp(`(?<![\\w:])${escaped}(?![\\w:(])\\s*(\\{[^}]*\\})?`, 'g');
    for (const match of blanked.matchAll(pattern)) {
      const body = match[1]
        ? expr.slice(match.index + match[0].length - match[1].length, match.index + match[0].length)
        : '';
      const matchers = [...body.matchAll(MATCHER)]
        .map((m) => `${m[1]}${m[2]}${m[3]}`)
        .filter((matcher) => !relax.some((pattern) => pattern.test(matcher)));
      found.add(matchers.length > 0 ? `${name}{${matchers.join(', ')}}` : name);
    }
  }
  return [...found];
}

/** Each panel query as Grafana sends it, and each series selector in it. */
export function dashboardChecks(
  dashboards: readonly Dashboard[],
  relax: readonly RegExp[],
): LiveCheck[] {
  return dashboards.flatMap((dashboard) =>
    queriesOf(dashboard).flatMap((query): LiveCheck[] => {
      const what = `${dashboard.title} / ${query.panel} ${query.refId}`;
      const expr = asGrafanaSends(query.expr);
      return [
        { what, expr },
        ...seriesSelectors(expr, relax).map((selector) => ({
          what,
          expr: selector,
          selector: true,
        })),
      ];
    }),
  );
}

/** Each series selector of each alert rule: the whole expression is empty when all is well. */
export function alertChecks(
  rules: readonly { alert?: string; record?: string; expr: string }[],
  relax: readonly RegExp[],
): LiveCheck[] {
  return rules.flatMap((rule) =>
    seriesSelectors(rule.expr, relax).map((expr) => ({
      what: `alert ${rule.alert ?? rule.record}`,
      expr,
      selector: true,
    })),
  );
}

/** One line per dead series; a query only when all of its series are there. */
export function describeDead(dead: readonly DeadCheck[]): string[] {
  const withDeadSeries = new Set(dead.filter((d) => d.check.selector).map((d) => d.check.what));
  return dead
    .filter(({ check }) => check.selector || !withDeadSeries.has(check.what))
    .map(({ check, error }) => {
      const problem = check.selector ? `no series ${check.expr}` : `nothing from ${check.expr}`;
      return `${check.what}: ${problem}${error ? ` (Prometheus: ${error})` : ''}`;
    });
}
