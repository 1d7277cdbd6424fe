import { lookupSeries, TARGET_LABELS } from './known-metrics';

// Just enough PromQL reading to check which series and labels a query uses; not a parser.

const KEYWORDS = new Set([
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'bool',
  'and',
  'or',
  'unless',
  'offset',
  'inf',
  'nan',
]);
const LABEL_LIST = /\b(by|without|on|ignoring|group_left|group_right)\s*\(([^)]*)\)/gi;

/** Empties string literals and replaces Grafana variables, which may hold any text. */
function neutralise(expr: string): string {
  return expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|`[^`]*`/g, '""')
    .replace(/\$\{[^}]*\}|\$\w+/g, '1');
}

/** Series names the expression reads; function names, keywords and labels are left out. */
export function metricNames(expr: string): string[] {
  const bare = neutralise(expr)
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(LABEL_LIST, ' ');
  const names = new Set<string>();
  for (const [, name, call] of bare.matchAll(/(?<![\w.:])([A-Za-z_:][\w:]*)(\s*\()?/g)) {
    if (!call && !KEYWORDS.has(name.toLowerCase())) names.add(name);
  }
  return [...names];
}

/** Each `name{...}` selector with the label names it matches on. */
export function selectors(expr: string): { metric?: string; labels: string[] }[] {
  return [...neutralise(expr).matchAll(/([A-Za-z_:][\w:]*)?\s*\{([^}]*)\}/g)].map(
    ([, metric, body]) => ({
      metric,
      labels: [...body.matchAll(/([A-Za-z_]\w*)\s*(?:=~|!~|!=|=)/g)].map((m) => m[1]),
    }),
  );
}

/** Labels named in by/without/on/ignoring/group_* clauses. */
export function groupingLabels(expr: string): string[] {
  return [...neutralise(expr).matchAll(LABEL_LIST)].flatMap(([, , list]) =>
    list
      .split(',')
      .map((label) => label.trim())
      .filter(Boolean),
  );
}

/** Labels a result can carry when the query aggregates `by (...)`; undefined when it keeps all. */
export function outputLabels(expr: string): Set<string> | undefined {
  const lists = [...neutralise(expr).matchAll(/\bby\s*\(([^)]*)\)/gi)];
  if (lists.length === 0) return undefined;
  return new Set(lists.flatMap(([, list]) => list.split(',').map((label) => label.trim())));
}

/** Problems with a query: unknown series, labels a series does not have, no series at all. */
export function checkQuery(expr: string): string[] {
  const names = metricNames(expr);
  if (names.length === 0) return [`reads no metric: ${expr}`];
  const problems: string[] = [];
  const available = new Set(TARGET_LABELS);
  let open = false;
  for (const name of names) {
    const series = lookupSeries(name);
    if (series.kind === 'unknown') problems.push(`unknown metric ${name}`);
    if (series.kind === 'default') open = true;
    if (series.kind === 'known') series.labels.forEach((label) => available.add(label));
  }
  for (const { metric, labels } of selectors(expr)) {
    const series = metric ? lookupSeries(metric) : undefined;
    if (series?.kind !== 'known') continue;
    const allowed = new Set([...series.labels, ...TARGET_LABELS]);
    for (const label of labels.filter((l) => !allowed.has(l)))
      problems.push(`${metric} has no label ${label}`);
  }
  if (!open) {
    for (const label of groupingLabels(expr).filter((l) => !available.has(l))) {
      problems.push(`groups by ${label}, which none of ${names.join(', ')} has`);
    }
  }
  return problems;
}

/** Labels a `{{ $labels.x }}` alert template or `{{x}}` legend uses. */
export function templateLabels(template: string): string[] {
  return [...template.matchAll(/\{\{\s*(?:\$labels\.)?([A-Za-z_]\w*)\s*\}\}/g)].map((m) => m[1]);
}
