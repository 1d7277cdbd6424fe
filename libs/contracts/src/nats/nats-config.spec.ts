import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { filterOf, subjectOf } from '../events';
import { workspaceRoot } from '../workspace-root';
import { buildNatsConfig, DEFAULT_NATS_TENANTS, tenantsOfConfig } from './nats-config';
import { natsConfigFiles, NATS_CONFIG_PATH } from './nats-config-files';
import {
  natsPasswordVariable,
  natsServices,
  natsUsers,
  servicePermissions,
  tenantConsumerOf,
  tenantPublisherPermissions,
  tenantSubscriberPermissions,
} from './nats-permissions';

/** NATS subject matching: `*` is one token, `>` the rest. */
function matches(pattern: string, subject: string): boolean {
  const p = pattern.split('.');
  const s = subject.split('.');
  for (let i = 0; i < p.length; i++) {
    if (p[i] === '>') return s.length > i;
    if (i >= s.length || (p[i] !== '*' && p[i] !== s[i])) return false;
  }
  return p.length === s.length;
}
const allowed = (patterns: readonly string[], subject: string) =>
  patterns.some((pattern) => matches(pattern, subject));

describe('deploy/nats', () => {
  it('matches the event map (run `npm run nats-config` after changing libs/contracts)', () => {
    const committed = readFileSync(NATS_CONFIG_PATH, 'utf8');
    const tenants = tenantsOfConfig(committed);
    expect(tenants).toBeDefined();
    for (const file of natsConfigFiles(tenants)) {
      expect({ path: file.path, content: readFileSync(file.path, 'utf8') }).toEqual(file);
    }
  });

  it('is generated for the demo tenant by default', () => {
    expect(tenantsOfConfig(buildNatsConfig())).toEqual(DEFAULT_NATS_TENANTS);
    expect(tenantsOfConfig(buildNatsConfig(['acme', 'globex']))).toEqual(['acme', 'globex']);
  });

  it('has a user for every service in deploy/services.json, and for no other service', () => {
    const manifest = JSON.parse(
      readFileSync(join(workspaceRoot, 'deploy', 'services.json'), 'utf8'),
    ) as { services: { name: string }[] };
    expect([...natsServices()].sort()).toEqual(manifest.services.map((s) => s.name).sort());
  });

  it('reads every password from its own environment variable, never from the file', () => {
    const users = natsUsers(['acme']);
    expect(users.map((u) => u.passwordVariable)).toContain('REFINERY_NATS_ORDER_ANALYSIS_PASSWORD');
    expect(natsPasswordVariable('acme-publisher')).toBe('REFINERY_NATS_ACME_PUBLISHER_PASSWORD');
    const config = buildNatsConfig(['acme']);
    const passwords = [...config.matchAll(/^\s*password: (.*)$/gm)].map((m) => m[1]);
    expect(passwords).toEqual(users.map((u) => `$${u.passwordVariable}`));
  });

  it('refuses a tenant list that is not slugs, or whose variables would collide', () => {
    expect(() => natsUsers(['Acme Corp'])).toThrow(/not a tenant slug/);
    expect(() => natsUsers(['a-b', 'a_b'])).toThrow(/would share REFINERY_NATS_A_B_PUBLISHER/);
  });
});

describe('service permissions', () => {
  it('let a stage publish its own results only', () => {
    const { publish } = servicePermissions('classification');
    const own = { stage: 'classification', tenant: 'acme' } as const;
    expect(allowed(publish, subjectOf('enrichment.done', own))).toBe(true);
    expect(allowed(publish, subjectOf('enrichment.failed', own))).toBe(true);
    expect(allowed(publish, subjectOf('review.requested', { tenant: 'acme' }))).toBe(true);
    expect(allowed(publish, subjectOf('dlq', { service: 'classification' }))).toBe(true);
    const other = { stage: 'order-analysis', tenant: 'acme' } as const;
    expect(allowed(publish, subjectOf('enrichment.done', other))).toBe(false);
    expect(allowed(publish, subjectOf('enrichment.completed', { tenant: 'acme' }))).toBe(false);
    expect(allowed(publish, subjectOf('dlq', { service: 'resolution' }))).toBe(false);
    expect(allowed(publish, 'ingest.acme.order')).toBe(false);
  });

  it('let a service create consumers only with filters the event map lets it read', () => {
    const create = (service: string, stream: string, filter: string) =>
      allowed(
        servicePermissions(service).publish,
        `$JS.API.CONSUMER.CREATE.${stream}.durable.${filter}`,
      );
    const previous = filterOf('enrichment.done', { stage: 'order-analysis' });
    expect(create('classification', 'ENRICHMENT', previous)).toBe(true);
    const tenantOnly = filterOf('enrichment.done', { stage: 'order-analysis', tenant: 'acme' });
    expect(create('classification', 'ENRICHMENT', tenantOnly)).toBe(true);
    expect(create('classification', 'ENRICHMENT', filterOf('enrichment.completed'))).toBe(false);
    expect(create('classification', 'ENRICHMENT', 'enrichment.>')).toBe(false);
    expect(create('resolution', 'RECORDS', filterOf('records.received'))).toBe(false);
    // The monitor reads the stages' batch reports, not their per-record events.
    expect(create('quality-monitor', 'ENRICHMENT', 'enrichment.*.batch.*')).toBe(true);
    expect(create('quality-monitor', 'ENRICHMENT', 'enrichment.*.batch.acme')).toBe(true);
    expect(create('quality-monitor', 'ENRICHMENT', 'enrichment.*.*.*')).toBe(false);
    expect(create('quality-monitor', 'ENRICHMENT', 'enrichment.>')).toBe(false);
  });

  it("let ingestion, the operator's admin, read, purge and replay dead letters, and no other service", () => {
    const { publish } = servicePermissions('ingestion');
    expect(allowed(publish, '$JS.API.STREAM.MSG.GET.DLQ')).toBe(true);
    expect(allowed(publish, '$JS.API.STREAM.MSG.DELETE.DLQ')).toBe(true);
    expect(allowed(publish, '$JS.API.STREAM.MSG.DELETE.RECORDS')).toBe(false);
    // A replay goes back to the subject the consumer that gave up on it read.
    for (const subject of [
      subjectOf('records.received', { tenant: 'acme', type: 'order' }),
      subjectOf('enrichment.done', { stage: 'order-analysis', tenant: 'acme' }),
      subjectOf('enrichment.reprocess', { stage: 'resolution', tenant: 'acme' }),
      subjectOf('enrichment.completed', { tenant: 'acme' }),
      subjectOf('ingest', { tenant: 'acme', type: 'order' }),
    ])
      expect(allowed(publish, subject)).toBe(true);
    // Nothing no consumer reads: a replay has nowhere else to go.
    expect(
      allowed(publish, subjectOf('enrichment.failed', { stage: 'resolution', tenant: 'a' })),
    ).toBe(false);
    expect(allowed(publish, subjectOf('dlq', { service: 'order-analysis' }))).toBe(false);
    for (const service of natsServices().filter((s) => s !== 'ingestion')) {
      expect(allowed(servicePermissions(service).publish, '$JS.API.STREAM.MSG.DELETE.DLQ')).toBe(
        false,
      );
    }
  });

  it('never let a service delete or purge a stream', () => {
    for (const service of natsServices()) {
      const { publish } = servicePermissions(service);
      expect(allowed(publish, '$JS.API.STREAM.DELETE.RECORDS')).toBe(false);
      expect(allowed(publish, '$JS.API.STREAM.PURGE.RECORDS')).toBe(false);
    }
  });
});

describe('tenant permissions', () => {
  it('let a publisher send only its own ingest subjects', () => {
    const { publish, subscribe } = tenantPublisherPermissions('acme');
    expect(allowed(publish, 'ingest.acme.order')).toBe(true);
    expect(allowed(publish, 'ingest.globex.order')).toBe(false);
    expect(allowed(publish, 'enrichment.completed.acme')).toBe(false);
    expect(allowed(publish, '$JS.API.STREAM.INFO.INGEST')).toBe(false);
    expect(subscribe).toEqual(['_INBOX_acme.>']);
  });

  it("let a subscriber read its completed records through its own consumer's API only", () => {
    const { publish, subscribe } = tenantSubscriberPermissions('acme');
    const { stream, durable, filterSubject } = tenantConsumerOf('acme');
    expect(filterSubject).toBe('enrichment.completed.acme');
    // Ingestion makes the durable: a subscriber could make it a push consumer delivering anywhere.
    expect(allowed(publish, `$JS.API.CONSUMER.CREATE.${stream}.${durable}.${filterSubject}`)).toBe(
      false,
    );
    expect(allowed(publish, `$JS.API.CONSUMER.MSG.NEXT.${stream}.${durable}`)).toBe(true);
    expect(allowed(publish, `$JS.ACK.${stream}.${durable}.1.2.3.4.5`)).toBe(true);
    expect(allowed(publish, `$JS.API.CONSUMER.CREATE.${stream}.${durable}`)).toBe(false);
    expect(
      allowed(publish, `$JS.API.CONSUMER.CREATE.${stream}.${durable}.enrichment.completed.globex`),
    ).toBe(false);
    expect(allowed(publish, '$JS.API.INFO')).toBe(false);
    expect(allowed(publish, '$JS.API.STREAM.INFO.ENRICHMENT')).toBe(false);
    expect(allowed(subscribe, 'enrichment.completed.globex')).toBe(false);
    expect(subscribe).toEqual(['_INBOX_acme.>']);
  });
});
