import { natsPasswordVariable, natsUsers, tenantsOfConfig } from '@refinery/contracts';
import {
  READONLY_ROLE,
  readerRole,
  rolePasswordVariable,
  serviceRole,
} from '@refinery/persistence';
import { compose, env, mountedFrom, service, type ComposeService } from './support/compose';
import { composeName, exists, manifest, readText } from './support/repo';

// docker-compose.yml cannot be run here (no Docker engine), so these tests check what
// `docker compose up` relies on: images, healthchecks, start order, ports and environment.

const services = compose.services;
const SERVICES = manifest().map((entry) => [composeName(entry), entry] as const);

const INFRA = [
  'nats',
  'postgres',
  'prometheus',
  'alertmanager',
  'grafana',
  'otel-collector',
  'jaeger',
];
/** Images that cannot run a check: no shell and no HTTP client inside. */
const NO_HEALTHCHECK_POSSIBLE: Record<string, string> = {
  'otel-collector': 'distroless collector image',
};
const DOCKERFILE = 'deploy/docker/Dockerfile';
const NATS_CONFIG = 'deploy/nats/nats-server.conf';

/** `${VAR:?message}`: compose refuses to start while the variable is unset or empty. */
const requiredVariable = (name: string) => new RegExp(`^\\$\\{${name}:\\?[^}]+\\}$`);

const REQUIRED_ENV = [
  'PORT',
  'NATS_URL',
  'NATS_USER',
  'NATS_PASSWORD',
  'DATABASE_HOST',
  'DATABASE_PORT',
  'DATABASE_NAME',
  'DATABASE_USER',
  'DATABASE_PASSWORD',
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'LOG_LEVEL',
];
const EXTRA_ENV: Record<string, string[]> = {
  ingestion: ['REFINERY_DEMO_API_KEY', 'REFINERY_ADMIN_API_KEY'],
  'quality-monitor': ['REFINERY_ADMIN_API_KEY', 'QUALITY_READONLY_PASSWORD'],
};
const PROVISION_ENV = [
  'DATABASE_HOST',
  'DATABASE_PORT',
  'DATABASE_NAME',
  'DATABASE_ADMIN_USER',
  'DATABASE_ADMIN_PASSWORD',
];

function dependsOn(svc: ComposeService): Record<string, string> {
  const raw = svc.depends_on ?? {};
  return Array.isArray(raw)
    ? Object.fromEntries(raw.map((name) => [name, 'service_started']))
    : Object.fromEntries(Object.entries(raw).map(([name, dep]) => [name, dep.condition]));
}

function healthcheckCommand(svc: ComposeService): string | undefined {
  const { test, disable } = svc.healthcheck ?? {};
  if (disable || test === undefined) return undefined;
  const command = Array.isArray(test) ? test : ['CMD-SHELL', test];
  return command[0] === 'NONE' || command.length < 2 ? undefined : command.slice(1).join(' ');
}

/** [host port, container port] for every published port; the host IP is dropped. */
function publishedPorts(svc: ComposeService): [string, string][] {
  return (svc.ports ?? []).map((port) => {
    if (typeof port === 'object') return [String(port.published ?? ''), String(port.target)];
    const parts = String(port)
      .replace(/\/(tcp|udp)$/, '')
      .split(':');
    return parts.length === 1 ? ['', parts[0]] : [parts.at(-2) ?? '', parts.at(-1) ?? ''];
  });
}

function buildArgs(svc: ComposeService): Record<string, string> {
  const args = svc.build?.args ?? {};
  return Array.isArray(args)
    ? Object.fromEntries(args.map((arg) => arg.split(/=(.*)/s).slice(0, 2)))
    : args;
}

describe('docker-compose.yml infrastructure', () => {
  it.each(INFRA)('%s runs an image pinned to a version', (name) => {
    const image = service(name).image ?? '';
    const [, tag] = /^[^:@]+(?::([^@]+))?(?:@sha256:[0-9a-f]{64})?$/.exec(image) ?? [];
    expect(tag).toMatch(/\d/);
    expect(tag).not.toMatch(/latest/);
  });

  it('runs NATS with JetStream, a data volume and the monitoring port', () => {
    const nats = service('nats');
    expect(nats.image).toMatch(/^nats:2\.(9|10)[.-]/);
    const args = [nats.command ?? []].flat().join(' ');
    expect(args).toMatch(/(^|\s)-js(\s|$)/);
    expect(args).toMatch(/-sd \/data/);
    expect(args).toMatch(/-m 8222/);
    expect(nats.volumes).toContainEqual(expect.stringMatching(/^[\w-]+:\/data$/));
    expect(healthcheckCommand(nats)).toMatch(/:8222\/healthz\?js-enabled-only=true/);
  });

  it('runs NATS with the generated accounts and users, and every password they read', () => {
    const nats = service('nats');
    expect([nats.command ?? []].flat().join(' ')).toMatch(
      /(^|\s)-c \/etc\/nats\/nats-server\.conf/,
    );
    expect(mountedFrom('nats', '/etc/nats/nats-server.conf')).toBe(NATS_CONFIG);
    const users = natsUsers(tenantsOfConfig(readText(NATS_CONFIG)) ?? []);
    const vars = env(nats);
    for (const { passwordVariable } of users) {
      expect(vars[passwordVariable]).toMatch(requiredVariable(passwordVariable));
    }
  });

  it('runs Postgres 15 with pgvector, a data volume and a pg_isready check', () => {
    const postgres = service('postgres');
    expect(postgres.image).toMatch(/^pgvector\/pgvector:.*pg15/);
    expect(postgres.volumes).toContainEqual(
      expect.stringMatching(/^[\w-]+:\/var\/lib\/postgresql\/data$/),
    );
    expect(healthcheckCommand(postgres)).toMatch(/^pg_isready/);
  });

  it('gives every long-running container a healthcheck where its image can run one', () => {
    const missing = Object.entries(services)
      .filter(([name]) => name !== 'provision' && !(name in NO_HEALTHCHECK_POSSIBLE))
      .filter(([, svc]) => healthcheckCommand(svc) === undefined)
      .map(([name]) => name);
    expect(missing).toEqual([]);
  });

  it('waits only on healthchecks that exist and on services that exist', () => {
    const problems = Object.entries(services).flatMap(([name, svc]) =>
      Object.entries(dependsOn(svc)).flatMap(([dep, condition]) => {
        if (!services[dep]) return [`${name} depends on missing ${dep}`];
        if (condition === 'service_healthy' && !healthcheckCommand(services[dep])) {
          return [`${name} waits for ${dep} to be healthy, but ${dep} has no healthcheck`];
        }
        return [];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('mounts only files that exist and volumes that are declared', () => {
    const problems = Object.entries(services).flatMap(([name, svc]) =>
      (svc.volumes ?? []).flatMap((volume) => {
        const source = typeof volume === 'string' ? volume.split(':')[0] : (volume.source ?? '');
        if (source.startsWith('.'))
          return exists(source) ? [] : [`${name} mounts missing ${source}`];
        return source in (compose.volumes ?? {})
          ? []
          : [`${name} uses undeclared volume ${source}`];
      }),
    );
    expect(problems).toEqual([]);
  });
});

describe('docker-compose.yml provisioning', () => {
  const provision = service('provision');

  it('runs the provisioning command once, from the service image, after Postgres is healthy', () => {
    expect(provision.build).toMatchObject({ context: '.', dockerfile: DOCKERFILE });
    expect([provision.command ?? []].flat().join(' ')).toBe(
      'node dist/libs/persistence/src/cli/provision.js',
    );
    expect(['no', 'on-failure', undefined]).toContain(provision.restart);
    expect(dependsOn(provision)).toMatchObject({ postgres: 'service_healthy' });
    expect(Object.keys(env(provision))).toEqual(expect.arrayContaining(PROVISION_ENV));
  });

  it('logs in as the Postgres superuser and gives each role the password its service uses', () => {
    const postgres = env(service('postgres'));
    expect(env(provision)).toMatchObject({
      DATABASE_HOST: 'postgres',
      DATABASE_ADMIN_USER: postgres.POSTGRES_USER ?? 'postgres',
      DATABASE_ADMIN_PASSWORD: postgres.POSTGRES_PASSWORD,
    });
    const passwords = new Set<string>();
    for (const [name, entry] of SERVICES) {
      const variable = rolePasswordVariable(serviceRole(entry.schema));
      const password = env(service(name)).DATABASE_PASSWORD;
      expect(password).toMatch(requiredVariable(variable));
      expect(env(provision)[variable]).toBe(password);
      expect(env(service(name)).DATABASE_NAME).toBe(env(provision).DATABASE_NAME);
      passwords.add(password);
    }
    expect(passwords.size).toBe(new Set(SERVICES.map(([, entry]) => entry.schema)).size);
    const readonly = rolePasswordVariable(READONLY_ROLE);
    expect(env(service('quality-monitor')).QUALITY_READONLY_PASSWORD).toMatch(
      requiredVariable(readonly),
    );
    expect(env(provision)[readonly]).toMatch(requiredVariable(readonly));
    // A service's reader (Grafana's login): set by provisioning, passed to Grafana alone.
    for (const [, entry] of SERVICES.filter(([, e]) => e.reader)) {
      const variable = rolePasswordVariable(readerRole(entry.schema));
      expect(env(provision)[variable]).toMatch(requiredVariable(variable));
      const holders = Object.entries(services)
        .filter(([, svc]) => Object.values(env(svc)).some((value) => value.includes(variable)))
        .map(([name]) => name);
      expect(holders.sort()).toEqual(['grafana', 'provision']);
    }
  });
});

describe.each(SERVICES)('docker-compose.yml service %s', (name, entry) => {
  const svc = service(name);

  it('is built from the shared Dockerfile with SERVICE set to its name', () => {
    expect(svc.build).toMatchObject({ context: '.', dockerfile: DOCKERFILE });
    expect(buildArgs(svc).SERVICE).toBe(entry.name);
    expect(`dist/services/${buildArgs(svc).SERVICE}/src/main.js`).toBe(entry.main);
  });

  it('publishes its port on the same host port', () => {
    expect(publishedPorts(svc)).toContainEqual([String(entry.port), String(entry.port)]);
  });

  it('has a healthcheck on its own health endpoint', () => {
    const command = healthcheckCommand(svc) ?? '';
    expect(command).toMatch(/\/health\/(live|ready)/);
    expect(command).toMatch(new RegExp(`process\\.env\\.PORT|:${entry.port}/`));
  });

  it('gets every environment variable the service reads', () => {
    const vars = env(svc);
    const required = [...REQUIRED_ENV, ...(EXTRA_ENV[entry.name] ?? [])];
    expect(required.filter((key) => !vars[key])).toEqual([]);
    expect(vars).toMatchObject({
      PORT: String(entry.port),
      NATS_URL: 'nats://nats:4222',
      DATABASE_HOST: 'postgres',
      DATABASE_PORT: '5432',
      DATABASE_NAME: 'refinery',
      DATABASE_USER: `refinery_${entry.schema}`,
      OTEL_EXPORTER_OTLP_ENDPOINT: 'http://otel-collector:4318',
      NATS_USER: entry.name,
    });
    expect(vars.NATS_PASSWORD).toMatch(requiredVariable(natsPasswordVariable(entry.name)));
  });

  it('starts after provisioning succeeded and Postgres and NATS are healthy', () => {
    expect(dependsOn(svc)).toMatchObject({
      provision: 'service_completed_successfully',
      postgres: 'service_healthy',
      nats: 'service_healthy',
    });
  });
});
