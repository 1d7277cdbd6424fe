import { readerRole, rolePasswordVariable } from '@refinery/persistence';

import { compose, env, hostOf, mountedFrom, service } from './support/compose';
import {
  DASHBOARDS_DIR,
  loadDashboards,
  queriesOf,
  queryPanels,
  variableQuery,
  type Dashboard,
  type DatasourceRef,
} from './support/dashboards';
import {
  INGEST_OUTCOMES,
  REFINERY_METRICS,
  baseMetric,
  lookupSeries,
} from './support/known-metrics';
import { checkQuery, metricNames, outputLabels, selectors, templateLabels } from './support/promql';
import { exists, manifest, readYaml } from './support/repo';

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
  user?: string;
  jsonData?: Record<string, unknown>;
  secureJsonData?: Record<string, string>;
}

const datasources = readYaml<{ datasources: Datasource[] }>(
  'deploy/grafana/provisioning/datasources/datasources.yml',
).datasources;
const providers = readYaml<{ providers: { options: { path: string } }[] }>(
  'deploy/grafana/provisioning/dashboards/dashboards.yml',
).providers;
const dashboards = loadDashboards();
const byUid = (uid: string): Dashboard => {
  const found = dashboards.find((d) => d.uid === uid);
  if (!found) throw new Error(`no dashboard with uid ${uid} in ${DASHBOARDS_DIR}`);
  return found;
};
const allQueries = dashboards.flatMap(queriesOf);
const prometheusUid = datasources.find((ds) => ds.type === 'prometheus')?.uid;
/** Grafana's PostgreSQL plugin (formerly `postgres`). */
const POSTGRES = 'grafana-postgresql-datasource';
const ANALYTICS_UID = 'refinery-analytics';
const postgresUids = datasources.filter((ds) => ds.type === POSTGRES).map((ds) => ds.uid);

/** Where a reference must point: Prometheus for PromQL, a provisioned Postgres for SQL. */
function wrongDatasource(ref: DatasourceRef | undefined, sql: boolean): boolean {
  if (!sql) return ref?.uid !== prometheusUid;
  return !postgresUids.includes(ref?.uid ?? '') || ref?.type !== POSTGRES;
}

/** Labels a series carries itself (not those Prometheus adds to every target). */
function ownLabels(metric: string): readonly string[] {
  const series = lookupSeries(metric);
  return series.kind === 'known' ? series.labels : [];
}

describe('Grafana provisioning', () => {
  it('provides Prometheus and the trace store from services in docker-compose.yml', () => {
    const byType = Object.fromEntries(datasources.map((ds) => [ds.type, ds]));
    expect(byType.prometheus?.url).toBe('http://prometheus:9090');
    const traces = byType.jaeger ?? byType.tempo;
    expect(traces).toBeDefined();
    for (const ds of datasources) expect(Object.keys(compose.services)).toContain(hostOf(ds.url));
    expect(new Set(datasources.map((ds) => ds.uid)).size).toBe(datasources.length);
  });

  it('reads analytics from Postgres as the analytics reader, with the password Grafana gets from .env', () => {
    const analytics = manifest().find((entry) => entry.name === 'analytics');
    expect(analytics?.reader).toBe(true);
    const role = readerRole(analytics?.schema ?? '');
    const variable = rolePasswordVariable(role);
    const ds = datasources.find((d) => d.uid === ANALYTICS_UID);
    // Where the services and provisioning reach Postgres, inside the compose network.
    const { DATABASE_HOST, DATABASE_PORT, DATABASE_NAME } = env(service('provision'));
    expect(ds).toMatchObject({
      type: POSTGRES,
      url: `${DATABASE_HOST}:${DATABASE_PORT}`,
      user: role,
      jsonData: { database: DATABASE_NAME },
      // Grafana expands ${VAR} in provisioning files from its own environment.
      secureJsonData: { password: `\${${variable}}` },
    });
    expect(env(service('grafana'))[variable]).toMatch(
      new RegExp(`^\\$\\{${variable}:\\?[^}]+\\}$`),
    );
    expect(env(service('provision'))[variable]).toBe(env(service('grafana'))[variable]);
  });

  it('loads dashboards from the folder mounted from deploy/grafana/dashboards', () => {
    expect(providers.map((provider) => mountedFrom('grafana', provider.options.path))).toEqual([
      DASHBOARDS_DIR,
    ]);
    expect(mountedFrom('grafana', '/etc/grafana/provisioning/datasources')).toBe(
      'deploy/grafana/provisioning/datasources',
    );
    const home = env(service('grafana')).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) expect(exists(mountedFrom('grafana', home) ?? '')).toBe(true);
  });

  it('provisions the pipeline overview, data quality, service runtime and analytics dashboards', () => {
    expect(dashboards.map((d) => d.uid).sort()).toEqual([
      'refinery-analytics',
      'refinery-data-quality',
      'refinery-overview',
      'refinery-service-runtime',
    ]);
    expect(new Set(dashboards.map((d) => d.title)).size).toBe(dashboards.length);
  });

  it('links every dashboard to the others through their shared tag', () => {
    for (const dashboard of dashboards) {
      expect(dashboard.tags).toContain('refinery');
      const links = (dashboard.links ?? []).filter((link) => link.type === 'dashboards');
      expect(links.flatMap((link) => link.tags ?? [])).toContain('refinery');
    }
  });
});

describe.each(dashboards.map((d) => [d.file, d] as const))('dashboard %s', (_, dashboard) => {
  const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
  const queries = queriesOf(dashboard);
  const variables = dashboard.templating?.list ?? [];

  it('has panels with unique ids inside the 24-column grid', () => {
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const { gridPos } of panels) expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
  });

  it('queries a provisioned datasource by uid everywhere: Prometheus for PromQL, Postgres for SQL', () => {
    const wrong = queryPanels(dashboard).flatMap((panel) => {
      const targets = panel.targets ?? [];
      const sql = targets.some((target) => target.rawSql !== undefined);
      // One kind of query per panel, all against the panel's datasource.
      const mixed = targets.some((target) => (target.rawSql !== undefined) !== sql);
      return [panel.datasource, ...targets.map((target) => target.datasource)]
        .filter((ds) => mixed || wrongDatasource(ds, sql))
        .map(() => panel.title);
    });
    expect(wrong).toEqual([]);
    const queryVariables = variables.filter((v) => v.type === 'query');
    expect(
      queryVariables.filter((v) =>
        wrongDatasource(v.datasource, /^\s*SELECT\b/i.test(variableQuery(v))),
      ),
    ).toEqual([]);
  });

  if (queries.length > 0)
    it.each(queries.map((query) => [`${query.panel} ${query.refId}`, query] as const))(
      '%s queries only metrics the services export, with their labels',
      (__, query) => {
        expect(checkQuery(query.expr)).toEqual([]);
        const carried = outputLabels(query.expr);
        const legend = templateLabels(query.legendFormat ?? '');
        if (carried) expect(legend.filter((label) => !carried.has(label))).toEqual([]);
      },
    );

  it('fills template variables from metrics and labels that exist', () => {
    // SQL variables are run against the database in analytics-dashboard.spec.ts.
    const promql = variables.filter(
      (v) => v.type === 'query' && v.datasource?.uid === prometheusUid,
    );
    for (const variable of promql) {
      const text = variableQuery(variable);
      const [, expr, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(text) ?? [];
      expect(checkQuery(expr ?? text)).toEqual([]);
      expect([...ownLabels(metricNames(expr)[0]), 'job', 'instance', 'service']).toContain(label);
    }
  });

  it("filters every series that has a variable's label by that variable", () => {
    const names = new Set(variables.map((v) => v.name));
    const unfiltered = queries.flatMap((query) =>
      selectors(query.expr)
        .filter(({ metric }) => metric !== undefined)
        .flatMap(({ metric }) =>
          ownLabels(metric ?? '')
            .filter((label) => names.has(label))
            .filter((label) => !new RegExp(`${label}\\s*=~\\s*"\\$${label}"`).test(query.expr))
            .map((label) => `${query.panel} ${query.refId}: ${metric} not filtered by $${label}`),
        ),
    );
    expect(unfiltered).toEqual([]);
  });
});

describe('the dashboards together', () => {
  it('show every metric the services export, and service up', () => {
    const read = new Set(allQueries.flatMap((query) => metricNames(query.expr).map(baseMetric)));
    expect(Object.keys(REFINERY_METRICS).filter((metric) => !read.has(metric))).toEqual([]);
    expect(read.has('up')).toBe(true);
  });

  it('name only real ingest outcomes', () => {
    const overview = byUid('refinery-overview');
    const used = [
      ...allQueries.flatMap((query) =>
        [...query.expr.matchAll(/outcome\s*=~?\s*"([^"]*)"/g)].flatMap((m) => m[1].split('|')),
      ),
      ...queryPanels(overview)
        .filter((panel) => panel.targets?.some((t) => /by \(outcome\)/.test(t.expr ?? '')))
        .flatMap((panel) => panel.fieldConfig?.overrides?.map((o) => o.matcher.options) ?? []),
    ];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((outcome) => !INGEST_OUTCOMES.includes(outcome))).toEqual([]);
  });
});

describe('Refinery data quality dashboard', () => {
  const dashboard = byUid('refinery-data-quality');

  it("shows each table's score by dimension now and over the last seven days", () => {
    const scorePanels = queryPanels(dashboard).filter((panel) =>
      panel.targets?.some((t) => metricNames(t.expr ?? '').includes('refinery_quality_data_score')),
    );
    expect(scorePanels.map((panel) => panel.timeFrom ?? 'dashboard')).toEqual(
      expect.arrayContaining(['dashboard', '7d']),
    );
    for (const panel of scorePanels) {
      for (const target of panel.targets ?? []) {
        expect(outputLabels(target.expr ?? '')).toEqual(new Set(['table', 'dimension']));
      }
    }
  });
});

describe('Refinery service runtime dashboard', () => {
  it('filters every query by the service variable', () => {
    const queries = queriesOf(byUid('refinery-service-runtime'));
    expect(queries.filter((query) => !query.expr.includes('service=~"$service"'))).toEqual([]);
  });
});

interface CollectorConfig {
  receivers: Record<string, { protocols?: Record<string, { endpoint: string }> } | null>;
  processors?: Record<string, unknown>;
  exporters: Record<string, { endpoint?: string } | null>;
  extensions?: Record<string, unknown>;
  service: {
    extensions?: string[];
    pipelines: Record<string, { receivers: string[]; processors?: string[]; exporters: string[] }>;
    telemetry?: {
      metrics?: { readers?: { pull?: { exporter?: { prometheus?: { port: number } } } }[] };
    };
  };
}

describe('deploy/otel/collector.yml', () => {
  const collector = readYaml<CollectorConfig>('deploy/otel/collector.yml');
  const otlp = collector.receivers.otlp?.protocols ?? {};

  it('is the file the collector is started with', () => {
    const command = [service('otel-collector').command ?? []].flat().join(' ');
    const configPath = /--config[= ](\S+)/.exec(command)?.[1] ?? '';
    expect(mountedFrom('otel-collector', configPath)).toBe('deploy/otel/collector.yml');
  });

  it('receives OTLP over HTTP on 4318, where the services send, and over gRPC on 4317', () => {
    expect(otlp.http?.endpoint).toMatch(/^0\.0\.0\.0:4318$/);
    expect(otlp.grpc?.endpoint).toMatch(/^0\.0\.0\.0:4317$/);
    const endpoints = new Set(
      Object.values(compose.services)
        .map((svc) => env(svc).OTEL_EXPORTER_OTLP_ENDPOINT)
        .filter(Boolean),
    );
    expect([...endpoints]).toEqual(['http://otel-collector:4318']);
  });

  it('sends traces to the trace store in docker-compose.yml', () => {
    const traces = collector.service.pipelines.traces;
    expect(traces.receivers).toContain('otlp');
    const hosts = traces.exporters.map((name) => hostOf(collector.exporters[name]?.endpoint ?? ''));
    expect(hosts).toContain('jaeger');
    for (const host of hosts) expect(Object.keys(compose.services)).toContain(host);
  });

  it('defines every component its pipelines use', () => {
    const missing = Object.values(collector.service.pipelines).flatMap((pipeline) => [
      ...pipeline.receivers.filter((name) => !(name in collector.receivers)),
      ...(pipeline.processors ?? []).filter((name) => !(name in (collector.processors ?? {}))),
      ...pipeline.exporters.filter((name) => !(name in collector.exporters)),
    ]);
    const extensions = (collector.service.extensions ?? []).filter(
      (name) => !(name in (collector.extensions ?? {})),
    );
    expect([...missing, ...extensions]).toEqual([]);
  });

  it('exposes its own metrics on the port Prometheus scrapes', () => {
    const port =
      collector.service.telemetry?.metrics?.readers?.[0]?.pull?.exporter?.prometheus?.port;
    const prometheus = readYaml<{
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    }>('deploy/prometheus/prometheus.yml');
    const job = prometheus.scrape_configs.find((config) => config.job_name === 'otel-collector');
    expect(job?.static_configs[0].targets).toEqual([`otel-collector:${port}`]);
  });
});
