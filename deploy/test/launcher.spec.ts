import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { enrichedRecordsConsumers, subjectOf, type EventPayload } from '@refinery/contracts';
import { freePort, lastMessage, waitFor } from '@refinery/testing';
import { loadDashboards } from './support/dashboards';
import {
  driveDemoTraffic,
  removeDemoRules,
  type DemoUrls,
  type Published,
} from './support/demo-traffic';
import { alertChecks, dashboardChecks, describeDead } from './support/live-checks';
import { ALERT_RULES, LivePrometheus } from './support/live-prometheus';
import { manifest, readYaml, ROOT, type ServiceEntry } from './support/repo';

type Completed = EventPayload<'enrichment.completed'>;

const DURABLES = [
  ...enrichedRecordsConsumers('order-analysis', 'demo').map((c) => ['RECORDS', c.durable]),
  ['ENRICHMENT', 'classification_demo'],
  ['ENRICHMENT', 'resolution_demo'],
  ...enrichedRecordsConsumers('quality-monitor-records', 'demo').map((c) => ['RECORDS', c.durable]),
  ['ENRICHMENT', 'quality-monitor-stages_demo'],
  ['ENRICHMENT', 'quality-monitor-completed_demo'],
  ['ENRICHMENT', 'datasets-completed_demo'],
  ['LEARNING', 'datasets-feedback_demo'],
  ['LEARNING', 'datasets-applied_demo'],
  ['RECORDS', 'analytics-behavior_demo'],
  ['RECORDS', 'analytics-orders_demo'],
  ['ENRICHMENT', 'analytics-enriched_demo'],
  ['LEARNING', 'analytics-feedback_demo'],
];

/**
 * Matchers of series a healthy platform does not have: 5xx answers, and ALERTS of one alert,
 * which exists only while that alert is pending or firing. Selectors are checked without them.
 */
const FAILURES_ONLY = [/^status=~"5\.\."$/, /^alertname=/, /^alertstate="firing"$/];

/**
 * `npm start`'s last step, as a user runs it: every service from the manifest under one
 * launcher, URLs and the demo key printed once ready, Ctrl-C stopping them all. Needs the
 * build that `npm test` makes first.
 */
describe('tools/launch.mjs', () => {
  const apiKey = `rk_demo_launcher_test_${process.pid}`;
  const operatorKey = `rk_operator_launcher_test_${process.pid}_${'x'.repeat(16)}`;
  let launcher: ChildProcess;
  // Ports of the run's own: a platform may be running on the manifest's.
  let services: ServiceEntry[];
  let urls: DemoUrls;
  let output = '';
  let prometheus: Promise<LivePrometheus>;
  const published: Published[] = [];

  beforeAll(async () => {
    services = [];
    for (const service of manifest()) services.push({ ...service, port: await freePort() });
    const url = (name: string) =>
      `http://127.0.0.1:${services.find((service) => service.name === name)?.port}`;
    urls = {
      ingestion: url('ingestion'),
      qualityMonitor: url('quality-monitor'),
      learning: url('learning'),
    };
    launcher = spawn(process.execPath, [join(ROOT, 'tools/launch.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test',
        REFINERY_DEMO_API_KEY: apiKey,
        REFINERY_ADMIN_API_KEY: operatorKey,
        REFINERY_PORTS: JSON.stringify(Object.fromEntries(services.map((s) => [s.name, s.port]))),
        // Its stages, monitor, dataset service and analytics take the demo tenant only, not
        // the records other suites publish.
        ENRICHMENT_TENANT: 'demo',
        QUALITY_TENANT: 'demo',
        DATASETS_TENANT: 'demo',
        ANALYTICS_TENANT: 'demo',
        // A low-confidence classification is asked once more a second later, then reviewed.
        ENRICHMENT_LOW_CONFIDENCE_RETRY: 'always',
        ENRICHMENT_RETRY_SCHEDULE: '1s',
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (
      !output.includes('Ctrl-C stops everything') &&
      Date.now() < deadline &&
      launcher.exitCode === null
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
    // Scraping from now on, so what the enrichment test does is seen as increases.
    prometheus = LivePrometheus.start(services);
    prometheus.catch(() => undefined);
  }, 70_000);

  afterAll(async () => {
    await (await prometheus?.catch(() => undefined))?.stop();
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
    const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    for (const [stream, durable] of DURABLES)
      await jsm.consumers.delete(stream, durable).catch(() => false);
    for (const { stream, seq } of published)
      await jsm.streams.deleteMessage(stream, seq).catch(() => false);
    await nc.close();
  });

  /** An exception sent to ingestion with the demo key, as an upstream system sends one. */
  const postException = (orderNumber: string, description: string) =>
    fetch(`${urls.ingestion}/v1/events`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({
        type: 'exception',
        source: 'launcher-test',
        external_id: `${orderNumber}-${process.pid}-${Date.now()}`,
        occurred_at: new Date().toISOString(),
        data: { order_number: orderNumber, description },
      }),
    });

  it('prints every service URL as ready, and the demo key', () => {
    for (const service of services) {
      expect(output).toContain(`http://127.0.0.1:${service.port}  (docs /docs, ready yes)`);
    }
    expect(output).toContain(`Demo tenant "demo", API key: ${apiKey}`);
  });

  it('accepts an exception with the demo key and enriches it through all three stages', async () => {
    const res = await postException('EU-1', 'parcel damaged in transit');
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };

    const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
    try {
      // The demo tenant's stream may hold earlier runs' events: wait for this record's.
      const completed = await waitFor(async () => {
        const subject = subjectOf('enrichment.completed', { tenant: 'demo' });
        const last = await lastMessage<Completed>(nc, 'ENRICHMENT', subject);
        return last?.data.record_id === id && last.data;
      }, 30_000);
      expect(Object.keys(completed.data.stages).sort()).toEqual([
        'classification',
        'order-analysis',
        'resolution',
      ]);
    } finally {
      await nc.close();
    }
  }, 40_000);

  it('turns an urgent correction made through the learning API into a candidate example', async () => {
    const res = await postException('EU-2', 'the box arrived crushed and the lamp is broken');
    const { id } = (await res.json()) as { id: string };
    const headers = { 'content-type': 'application/json', 'x-api-key': apiKey };
    // Learning knows the record once its enrichment is complete; until then it answers 404.
    await waitFor(async () => {
      const corrected = await fetch(`${urls.learning}/api/feedback/correction`, {
        method: 'POST',
        headers,
        body: JSON.stringify({
          record_id: id,
          corrected_answer: { label: 'DAMAGED_ITEM', action: 'RESHIP' },
          priority: 'urgent',
          // Learning rejects a correction much like an earlier one (of an earlier run) as a
          // duplicate: this reason is one of a kind.
          reason: `ticket ${randomUUID()}: photos show the damage`,
        }),
      });
      return corrected.status === 201;
    }, 30_000);
    const datasets = `http://127.0.0.1:${services.find((s) => s.name === 'dataset-versioning')?.port}`;
    const candidates = await waitFor(async () => {
      const listed = await fetch(
        `${datasets}/api/datasets/golden/examples?branch=candidates&limit=1000`,
        {
          headers,
        },
      );
      if (listed.status !== 200) return undefined;
      const { examples } = (await listed.json()) as {
        examples: {
          source_decision_id: string;
          type: string;
          output: unknown;
          labels: { source: string };
        }[];
      };
      const mine = examples.filter((e) => e.source_decision_id === id);
      return mine.length === 2 ? mine : undefined;
    }, 30_000);
    expect(candidates.map((e) => [e.type, e.output, e.labels.source]).sort()).toEqual([
      ['classification', { label: 'DAMAGED_ITEM' }, 'correction'],
      ['resolution', { action: 'RESHIP' }, 'correction'],
    ]);
  }, 70_000);

  it('feeds every dashboard panel and every alert rule with live series', async () => {
    const live = await prometheus;
    const nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
    const unanswered = await driveDemoTraffic(
      urls,
      apiKey,
      operatorKey,
      nc,
      live,
      published,
    ).finally(() => nc.close());
    const rules = readYaml<{ groups: { rules: { alert?: string; expr: string }[] }[] }>(
      ALERT_RULES,
    ).groups.flatMap((group) => group.rules);
    const checks = [
      ...dashboardChecks(loadDashboards(), FAILURES_ONLY),
      ...alertChecks(rules, FAILURES_ONLY),
      {
        what: 'the dead letters fire RefineryMessagesDeadLettered',
        expr: 'ALERTS{alertname="RefineryMessagesDeadLettered", alertstate="firing"}',
      },
    ];
    const dead = describeDead(await live.deadAfter(checks, 25_000));
    await removeDemoRules(urls, operatorKey);
    expect([...unanswered, ...dead]).toEqual([]);
  }, 60_000);

  it('stops every service on Ctrl-C and exits', async () => {
    const exited = new Promise<number | null>((resolve) =>
      launcher.once('exit', (code) => resolve(code)),
    );
    launcher.kill('SIGINT');
    expect(await exited).toBe(130);
    await expect(fetch(`${urls.ingestion}/health/live`)).rejects.toThrow();
  }, 20_000);
});
