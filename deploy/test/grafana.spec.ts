import { compose, env, hostOf, mountedFrom, service } from './support/compose';
import {
  INGEST_OUTCOMES,
  REFINERY_METRICS,
  baseMetric,
  lookupSeries,
} from './support/known-metrics';
import { checkQuery, metricNames, outputLabels, templateLabels } from './support/promql';
import { exists, readText, readYaml } from './support/repo';

interface Datasource {
  name: string;
  uid: string;
  type: string;
  url: string;
}

interface Target {
  refId: string;
  expr?: string;
  legendFormat?: string;
  datasource?: { type?: string; uid?: string };
}

interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
  fieldConfig?: { overrides?: { matcher: { id: string; options: string } }[] };
}

interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: { uid?: string };
}

interface Dashboard {
  uid: string;
  title: string;
  panels: Panel[];
  templating?: { list: Variable[] };
}

const DASHBOARDS = 'deploy/grafana/dashboards';
const datasources = readYaml<{ datasources: Datasource[] }>(
  'deploy/grafana/provisioning/datasources/datasources.yml',
).datasources;
const providers = readYaml<{ providers: { options: { path: string } }[] }>(
  'deploy/grafana/provisioning/dashboards/dashboards.yml',
).providers;
const dashboard = JSON.parse(readText(`${DASHBOARDS}/refinery-overview.json`)) as Dashboard;

const prometheusUid = datasources.find((ds) => ds.type === 'prometheus')?.uid;
const panels = dashboard.panels.flatMap((panel) => [panel, ...(panel.panels ?? [])]);
const queryPanels = panels.filter((panel) => panel.type !== 'row');
const queries = queryPanels.flatMap((panel) =>
  (panel.targets ?? []).map((target) => ({
    panel: panel.title,
    ...target,
    expr: target.expr ?? '',
  })),
);

describe('Grafana provisioning', () => {
  it('provides Prometheus and the trace store from services in docker-compose.yml', () => {
    const byType = Object.fromEntries(datasources.map((ds) => [ds.type, ds]));
    expect(byType.prometheus?.url).toBe('http://prometheus:9090');
    const traces = byType.jaeger ?? byType.tempo;
    expect(traces).toBeDefined();
    for (const ds of datasources) expect(Object.keys(compose.services)).toContain(hostOf(ds.url));
    expect(new Set(datasources.map((ds) => ds.uid)).size).toBe(datasources.length);
  });

  it('loads dashboards from the folder mounted from deploy/grafana/dashboards', () => {
    expect(providers.map((provider) => mountedFrom('grafana', provider.options.path))).toEqual([
      DASHBOARDS,
    ]);
    expect(mountedFrom('grafana', '/etc/grafana/provisioning/datasources')).toBe(
      'deploy/grafana/provisioning/datasources',
    );
    const home = env(service('grafana')).GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) expect(exists(mountedFrom('grafana', home) ?? '')).toBe(true);
  });
});

describe('Refinery overview dashboard', () => {
  it('has a fixed uid and panels with unique ids inside the 24-column grid', () => {
    expect(dashboard.uid).toBe('refinery-overview');
    expect(new Set(panels.map((panel) => panel.id)).size).toBe(panels.length);
    for (const { gridPos } of panels) expect(gridPos.x + gridPos.w).toBeLessThanOrEqual(24);
  });

  it('queries the provisioned Prometheus datasource by uid everywhere', () => {
    const wrong = queryPanels.flatMap((panel) =>
      [panel.datasource, ...(panel.targets ?? []).map((target) => target.datasource)]
        .filter((ds) => ds?.uid !== prometheusUid)
        .map(() => panel.title),
    );
    expect(wrong).toEqual([]);
    const variables = dashboard.templating?.list.filter((v) => v.type === 'query') ?? [];
    expect(variables.filter((v) => v.datasource?.uid !== prometheusUid)).toEqual([]);
  });

  it.each(queries.map((query) => [`${query.panel} ${query.refId}`, query] as const))(
    '%s queries only metrics the services export, with their labels',
    (_, query) => {
      expect(checkQuery(query.expr)).toEqual([]);
      const carried = outputLabels(query.expr);
      const legend = templateLabels(query.legendFormat ?? '');
      if (carried) expect(legend.filter((label) => !carried.has(label))).toEqual([]);
    },
  );

  it('filters template variables on metrics and labels that exist', () => {
    for (const variable of dashboard.templating?.list ?? []) {
      if (variable.type !== 'query') continue;
      const text =
        typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
      const [, expr, label] = /^label_values\((.+),\s*(\w+)\)$/.exec(text) ?? [];
      expect(checkQuery(expr ?? text)).toEqual([]);
      const series = lookupSeries(metricNames(expr)[0]);
      const labels = series.kind === 'known' ? series.labels : [];
      expect([...labels, 'job', 'instance', 'service']).toContain(label);
    }
  });

  it('shows every metric the services export, and service up', () => {
    const read = new Set(queries.flatMap((query) => metricNames(query.expr).map(baseMetric)));
    expect(Object.keys(REFINERY_METRICS).filter((metric) => !read.has(metric))).toEqual([]);
    expect(read.has('up')).toBe(true);
  });

  it('names only real ingest outcomes', () => {
    const used = [
      ...queries.flatMap((query) =>
        [...query.expr.matchAll(/outcome\s*=~?\s*"([^"]*)"/g)].flatMap((m) => m[1].split('|')),
      ),
      ...queryPanels
        .filter((panel) => panel.targets?.some((t) => /by \(outcome\)/.test(t.expr ?? '')))
        .flatMap((panel) => panel.fieldConfig?.overrides?.map((o) => o.matcher.options) ?? []),
    ];
    expect(used.length).toBeGreaterThan(0);
    expect(used.filter((outcome) => !INGEST_OUTCOMES.includes(outcome))).toEqual([]);
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
