import { readdirSync } from 'node:fs';
import { join, posix } from 'node:path';

import { compose, mountedFrom, hostOf, service } from './support/compose';
import { INGEST_OUTCOMES } from './support/known-metrics';
import { checkQuery, metricNames, outputLabels, selectors } from './support/promql';
import { composeName, exists, manifest, readText, readYaml, ROOT } from './support/repo';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  honor_labels?: boolean;
  static_configs?: { targets: string[]; labels?: Record<string, string> }[];
  relabel_configs?: {
    source_labels?: string[];
    regex?: string;
    target_label?: string;
    replacement?: string;
  }[];
}

interface PrometheusConfig {
  rule_files?: string[];
  alerting?: { alertmanagers: { static_configs: { targets: string[] }[] }[] };
  scrape_configs: ScrapeConfig[];
}

interface AlertRule {
  alert?: string;
  record?: string;
  expr: string;
  for?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Route {
  receiver?: string;
  group_by?: string[];
  routes?: Route[];
}

interface Receiver {
  name: string;
  webhook_configs?: { url?: string; url_file?: string; send_resolved?: boolean }[];
}

interface AlertmanagerConfig {
  route: Route;
  receivers: Receiver[];
  inhibit_rules?: { source_matchers?: string[] }[];
}

const prometheus = readYaml<PrometheusConfig>('deploy/prometheus/prometheus.yml');
const rules = readYaml<{ groups: { name: string; rules: AlertRule[] }[] }>(
  'deploy/prometheus/alerts.yml',
).groups.flatMap((group) => group.rules);
const alertmanager = readYaml<AlertmanagerConfig>('deploy/alertmanager/alertmanager.yml');

const RUNBOOKS = 'docs/runbooks';
/** docs/runbooks/quality-score-critical.md for QualityScoreCritical. */
const runbookOf = (alert: string) =>
  `${RUNBOOKS}/${alert.replace(/(?<=[a-z0-9])([A-Z])/g, '-$1').toLowerCase()}.md`;

/** The labels Prometheus gives a target after relabelling (only the `replace` action). */
function targetLabels(job: ScrapeConfig, address: string, labels: Record<string, string> = {}) {
  const result: Record<string, string> = {
    job: job.job_name,
    instance: address,
    __address__: address,
    ...labels,
  };
  for (const relabel of job.relabel_configs ?? []) {
    const source = (relabel.source_labels ?? []).map((label) => result[label] ?? '').join(';');
    const match = new RegExp(`^(?:${relabel.regex ?? '(.*)'})$`).exec(source);
    if (match && relabel.target_label) {
      result[relabel.target_label] = (relabel.replacement ?? '$1').replace(
        /\$(\d+)/g,
        (_, i: string) => match[Number(i)] ?? '',
      );
    }
  }
  return result;
}

function outcomesUsed(expr: string): string[] {
  return [...expr.matchAll(/outcome\s*=~?\s*"([^"]*)"/g)].flatMap((m) => m[1].split('|'));
}

describe('deploy/prometheus/prometheus.yml', () => {
  const refinery = prometheus.scrape_configs.find((job) => job.job_name === 'refinery');

  it.each(manifest())(
    'scrapes $name on its port at /metrics, labelled with its service',
    (entry) => {
      const address = `${composeName(entry)}:${entry.port}`;
      const job = prometheus.scrape_configs.find((config) =>
        config.static_configs?.some((group) => group.targets.includes(address)),
      );
      expect(job?.job_name).toBe('refinery');
      expect(job?.metrics_path ?? '/metrics').toBe('/metrics');
      const group = job?.static_configs?.find((g) => g.targets.includes(address));
      expect(targetLabels(job as ScrapeConfig, address, group?.labels)).toMatchObject({
        service: composeName(entry),
      });
    },
  );

  it('keeps the services own `service` label on messaging metrics', () => {
    expect(refinery?.honor_labels).toBe(true);
  });

  it('scrapes and alerts only hosts that exist in docker-compose.yml', () => {
    const targets = [
      ...prometheus.scrape_configs.flatMap(
        (job) => job.static_configs?.flatMap((group) => group.targets) ?? [],
      ),
      ...(prometheus.alerting?.alertmanagers.flatMap((am) =>
        am.static_configs.flatMap((group) => group.targets),
      ) ?? []),
    ];
    const unknown = targets
      .map(hostOf)
      .filter((host) => host !== 'localhost' && !(host in compose.services));
    expect(unknown).toEqual([]);
    expect(prometheus.alerting?.alertmanagers[0].static_configs[0].targets).toContain(
      'alertmanager:9093',
    );
  });

  it('loads its config and alert rules from files in deploy/prometheus', () => {
    const command = [compose.services.prometheus.command ?? []].flat().join(' ');
    const configPath =
      /--config\.file=(\S+)/.exec(command)?.[1] ?? '/etc/prometheus/prometheus.yml';
    expect(mountedFrom('prometheus', configPath)).toBe('deploy/prometheus/prometheus.yml');
    const ruleFiles = (prometheus.rule_files ?? []).map((path) => mountedFrom('prometheus', path));
    expect(ruleFiles).toEqual(['deploy/prometheus/alerts.yml']);
    expect(ruleFiles.every((path) => path && exists(path))).toBe(true);
  });
});

describe('deploy/prometheus/alerts.yml', () => {
  const alerts = rules.filter((rule) => rule.alert);

  it('has uniquely named alerts, each with a severity, a summary and a valid `for`', () => {
    expect(alerts.length).toBeGreaterThan(0);
    expect(new Set(alerts.map((rule) => rule.alert)).size).toBe(alerts.length);
    for (const rule of alerts) {
      expect({ alert: rule.alert, severity: rule.labels?.severity }).toEqual({
        alert: rule.alert,
        severity: expect.stringMatching(/^(warning|critical)$/),
      });
      expect(rule.annotations?.summary).toEqual(expect.any(String));
      if (rule.for !== undefined) expect(rule.for).toMatch(/^(\d+[smhd])+$/);
    }
  });

  it.each(rules.map((rule) => [rule.alert ?? rule.record, rule] as const))(
    '%s queries only metrics the services export, with their labels',
    (_, rule) => {
      expect(checkQuery(rule.expr)).toEqual([]);
      expect(
        outcomesUsed(rule.expr).filter((outcome) => !INGEST_OUTCOMES.includes(outcome)),
      ).toEqual([]);
    },
  );

  it.each(alerts.map((rule) => [rule.alert, rule] as const))(
    '%s describes itself only with labels its result carries',
    (_, rule) => {
      const carried = outputLabels(rule.expr);
      if (!carried) return;
      const usable = new Set([...carried, ...Object.keys(rule.labels ?? {})]);
      const used = Object.values(rule.annotations ?? {}).flatMap((text) =>
        [...text.matchAll(/\$labels\.(\w+)/g)].map((m) => m[1]),
      );
      expect(used.filter((label) => !usable.has(label))).toEqual([]);
    },
  );

  it('covers service down, dead letters, naks and slow handlers', () => {
    const read = (metric: string) =>
      alerts.filter((rule) => metricNames(rule.expr).includes(metric));
    expect(
      read('up').some((rule) => /up\{[^}]*job="refinery"[^}]*\}\s*==\s*0/.test(rule.expr)),
    ).toBe(true);
    expect(read('refinery_messages_dead_lettered_total')).not.toHaveLength(0);
    expect(read('refinery_messages_nakked_total')).not.toHaveLength(0);
    expect(
      read('refinery_handler_duration_seconds_bucket').some((rule) => rule.expr.includes('0.99')),
    ).toBe(true);
  });

  it('links every alert to its runbook, and every runbook to an alert', () => {
    const problems = alerts.flatMap((rule) => {
      const url = rule.annotations?.runbook_url;
      const expected = runbookOf(rule.alert ?? '');
      if (url !== expected) return [`${rule.alert}: runbook_url ${url}, expected ${expected}`];
      return exists(url) ? [] : [`${rule.alert}: ${url} does not exist`];
    });
    const linked = new Set(alerts.map((rule) => rule.annotations?.runbook_url));
    const orphans = readdirSync(join(ROOT, RUNBOOKS))
      .map((file) => posix.join(RUNBOOKS, file))
      .filter((path) => !linked.has(path));
    expect({ problems, orphans }).toEqual({ problems: [], orphans: [] });
  });

  // The quality monitor announces its own alerts on NATS with a runbook_url too.
  it('has a runbook for every docs/runbooks link in the services and libraries', () => {
    const links = ['services', 'libs'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => file.endsWith('.ts') && !file.endsWith('.spec.ts'))
        .flatMap((file) =>
          [...readText(posix.join(dir, file)).matchAll(/docs\/runbooks\/[\w.-]+\.md/g)].map(
            ([link]) => `${dir}/${file}: ${link}`,
          ),
        ),
    );
    expect(links.filter((entry) => !exists(entry.split(': ')[1]))).toEqual([]);
  });

  // A check's alerts are told apart by `check`, which names the threshold they compare with.
  it.each(alerts.filter((rule) => rule.labels?.check).map((rule) => [rule.alert, rule] as const))(
    '%s compares against the tenant threshold of its own check and severity',
    (_, rule) => {
      const thresholds = selectors(rule.expr).filter(
        (selector) => selector.metric === 'refinery_quality_threshold',
      );
      expect(thresholds).toHaveLength(1);
      expect(rule.expr).toContain(`check="${rule.labels?.check}"`);
      expect(rule.expr).toContain(`severity="${rule.labels?.severity}"`);
      expect(rule.labels?.service).toBe('quality-monitor');
    },
  );

  it('stands each warning down once the critical of its check fires, never both at once', () => {
    const checked = alerts.filter((rule) => rule.labels?.check);
    const critical = new Map(
      checked
        .filter((rule) => rule.labels?.severity === 'critical')
        .map((rule) => [rule.labels?.check, rule.alert]),
    );
    expect([...critical.keys()].sort()).toEqual([
      'backlog',
      'completeness',
      'failure_rate',
      'quality_score',
    ]);
    const order = rules.map((rule) => rule.alert);
    const problems = checked
      .filter((rule) => rule.labels?.severity === 'warning')
      .flatMap((rule) => {
        const partner = critical.get(rule.labels?.check);
        if (!partner) return [`${rule.alert} has no critical alert`];
        const standsDown = `unless on (instance, tenant)\nALERTS{alertname="${partner}", alertstate="firing"}`;
        if (!rule.expr.includes(standsDown)) return [`${rule.alert} does not end in ${standsDown}`];
        // A critical evaluated first is seen firing in the same evaluation.
        return order.indexOf(partner) < order.indexOf(rule.alert)
          ? []
          : [`${partner} must come before ${rule.alert}`];
      });
    expect(problems).toEqual([]);
  });
});

describe('deploy/alertmanager/alertmanager.yml', () => {
  const receivers = new Set(alertmanager.receivers.map((receiver) => receiver.name));
  const routes = (route: Route): Route[] => [route, ...(route.routes ?? []).flatMap(routes)];

  it('sends every route to a receiver that exists', () => {
    expect(alertmanager.route.receiver).toBeDefined();
    expect(
      routes(alertmanager.route).filter((r) => r.receiver && !receivers.has(r.receiver)),
    ).toEqual([]);
  });

  it('groups notifications by alert, service and tenant', () => {
    expect(alertmanager.route.group_by).toEqual(
      expect.arrayContaining(['alertname', 'service', 'tenant']),
    );
  });

  it('reads every webhook URL from a file that docker-compose.yml provides', () => {
    const webhooks = alertmanager.receivers.flatMap((receiver) => receiver.webhook_configs ?? []);
    expect(webhooks).not.toHaveLength(0);
    // A URL written into this file would be committed along with its token.
    expect(webhooks.filter((webhook) => webhook.url !== undefined)).toEqual([]);
    const mounted = (service('alertmanager').secrets ?? []).map((secret) =>
      typeof secret === 'string' ? { source: secret, target: undefined } : secret,
    );
    const problems = webhooks.flatMap(({ url_file: path = '' }) => {
      const secret = mounted.find(
        ({ source, target }) => path === (target ?? `/run/secrets/${source}`),
      );
      if (!secret) return [`${path} is not a secret of the alertmanager service`];
      const file = compose.secrets?.[secret.source]?.file ?? '';
      // `${VARIABLE:-default}`: the placeholder used when VARIABLE is not set.
      const placeholder = /^\$\{\w+:-([^}]+)\}$/.exec(file)?.[1] ?? file;
      return exists(placeholder) ? [] : [`${secret.source}: ${placeholder} does not exist`];
    });
    expect(problems).toEqual([]);
  });

  it('inhibits only on alerts that exist', () => {
    const names = new Set(rules.map((rule) => rule.alert));
    const referenced = (alertmanager.inhibit_rules ?? []).flatMap((rule) =>
      (rule.source_matchers ?? []).flatMap(
        (m) => /^alertname\s*=\s*"?([^"]+)"?$/.exec(m)?.[1] ?? [],
      ),
    );
    expect(referenced.filter((name) => !names.has(name))).toEqual([]);
  });

  it('is the file Alertmanager is started with', () => {
    const command = [compose.services.alertmanager.command ?? []].flat().join(' ');
    const configPath = /--config\.file=(\S+)/.exec(command)?.[1] ?? '';
    expect(mountedFrom('alertmanager', configPath)).toBe('deploy/alertmanager/alertmanager.yml');
  });
});
