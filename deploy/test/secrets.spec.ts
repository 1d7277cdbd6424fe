import { natsUsers, tenantsOfConfig } from '@refinery/contracts';
import {
  READONLY_ROLE,
  readerRole,
  rolePasswordVariable,
  serviceRole,
} from '@refinery/persistence';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

import { compose, env } from './support/compose';
import { manifest, readText, ROOT } from './support/repo';

// tools/secrets.mjs makes every secret; docker-compose.yml and deploy/k8s only name them.

/** Every Postgres role provisioning makes from deploy/services.json. */
const ROLES = [
  ...new Set([
    ...manifest().map((service) => serviceRole(service.schema)),
    ...manifest()
      .filter((service) => service.reader)
      .map((service) => readerRole(service.schema)),
    READONLY_ROLE,
  ]),
];

function secrets(...args: string[]) {
  const result = spawnSync(process.execPath, ['tools/secrets.mjs', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  expect(result.stderr).not.toMatch(/shorter than|usage|Error/);
  expect(result.status).toBe(0);
  return result.stdout;
}

const parseEnv = (text: string) =>
  Object.fromEntries(
    text
      .split('\n')
      .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line))
      .map((line) => line.split(/=(.*)/s).slice(0, 2) as [string, string]),
  );

const NAMES = secrets('names').trim().split('\n');
const SECRET_NAME = /PASSWORD|API_KEY|SECRET|TOKEN/;
const REQUIRED = /^\$\{([A-Z0-9_]+):\?[^}]+\}$/;

/** `${VAR:?...}` and `${VAR:-...}` anywhere in docker-compose.yml. */
const composeVariables = [
  ...readText('docker-compose.yml').matchAll(/\$\{([A-Z0-9_]+)(:?[?-])([^}]*)\}/g),
].map(([, name, kind, rest]) => ({ name, required: kind.endsWith('?'), rest }));

interface K8sEnv {
  name: string;
  value?: string;
  valueFrom?: { secretKeyRef?: { name: string; key: string } };
}

/** Every container env entry of the manifests in deploy/k8s. */
function k8sEnv(): K8sEnv[] {
  const found: K8sEnv[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (typeof node !== 'object' || node === null) return;
    const entry = node as Record<string, unknown>;
    if (Array.isArray(entry.env)) found.push(...(entry.env as K8sEnv[]));
    Object.values(entry).forEach(walk);
  };
  for (const file of readdirSync(join(ROOT, 'deploy/k8s')).filter((f) => f.endsWith('.yaml')))
    parseAllDocuments(readText(`deploy/k8s/${file}`)).forEach((doc) => walk(doc.toJS()));
  return found;
}

describe('tools/secrets.mjs', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'refinery-secrets-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('names a password for every Postgres role and NATS user, and the API keys', () => {
    expect(ROLES).toContain('refinery_analytics_reader');
    const conf = readText('deploy/nats/nats-server.conf');
    const nats = natsUsers(tenantsOfConfig(conf) ?? []).map((user) => user.passwordVariable);
    expect(NAMES).toEqual(
      expect.arrayContaining([
        ...ROLES.map(rolePasswordVariable),
        'REFINERY_DB_ADMIN_PASSWORD',
        'REFINERY_ADMIN_API_KEY',
        'REFINERY_DEMO_API_KEY',
        ...nats,
      ]),
    );
    expect(new Set(NAMES).size).toBe(NAMES.length);
  });

  it('writes every one, each its own random value, into a file only its owner can read', () => {
    const file = join(dir, 'new', '.env');
    secrets('write', file);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'new')).mode & 0o777).toBe(0o700);
    const values = parseEnv(readFileSync(file, 'utf8'));
    expect(Object.keys(values).sort()).toEqual([...NAMES].sort());
    expect(new Set(Object.values(values)).size).toBe(NAMES.length);
    for (const [name, value] of Object.entries(values)) {
      // Letters and digits only, from a letter on: safe in compose, kubectl and nats-server.
      const [, body] = /^(?:rk_operator_|rk_demo_)?(.*)$/.exec(value) ?? [];
      expect([name, body]).toEqual([name, expect.stringMatching(/^[A-Za-z][A-Za-z0-9]{31}$/)]);
    }
    expect(values.REFINERY_ADMIN_API_KEY.length).toBeGreaterThanOrEqual(32);
  });

  it('completes a file without replacing a value, and keeps what else it holds', () => {
    const file = join(dir, '.env');
    writeFileSync(
      file,
      '# mine\nLOG_LEVEL=debug\nREFINERY_DEMO_API_KEY=rk_demo_chosen_by_hand\nREFINERY_ADMIN_API_KEY=\n',
      { mode: 0o644 },
    );
    secrets('write', file);
    const first = readFileSync(file, 'utf8');
    expect(
      first.startsWith('# mine\nLOG_LEVEL=debug\nREFINERY_DEMO_API_KEY=rk_demo_chosen_by_hand\n'),
    ).toBe(true);
    const values = parseEnv(first);
    expect(values).toMatchObject({
      LOG_LEVEL: 'debug',
      REFINERY_DEMO_API_KEY: 'rk_demo_chosen_by_hand',
    });
    expect(values.REFINERY_ADMIN_API_KEY).toMatch(/^rk_operator_\w{32}$/);
    expect(first.match(/^REFINERY_ADMIN_API_KEY=/gm)).toHaveLength(1);
    expect(statSync(file).mode & 0o777).toBe(0o600);

    secrets('write', file);
    expect(readFileSync(file, 'utf8')).toBe(first);
  });
});

describe('secrets in the deployment files', () => {
  it('docker-compose.yml takes every required variable from what the script writes', () => {
    const required = composeVariables.filter((v) => v.required).map((v) => v.name);
    expect(required.length).toBeGreaterThan(0);
    expect(required.filter((name) => !NAMES.includes(name))).toEqual([]);
  });

  it('docker-compose.yml requires every secret it passes on, and defaults none', () => {
    const problems = Object.entries(compose.services).flatMap(([service, svc]) =>
      Object.entries(env(svc))
        .filter(([name]) => SECRET_NAME.test(name))
        .filter(([, value]) => !REQUIRED.test(value) && !/^\$\{[A-Z0-9_]+:-\}$/.test(value))
        .map(([name, value]) => `${service}: ${name}=${value}`),
    );
    expect(problems).toEqual([]);
    const defaulted = composeVariables.filter(
      (v) => !v.required && SECRET_NAME.test(v.name) && v.rest !== '',
    );
    expect(defaulted).toEqual([]);
  });

  it('Kubernetes reads every secret from a Secret whose keys the script writes', () => {
    const entries = k8sEnv().filter((e) => SECRET_NAME.test(e.name));
    expect(entries.length).toBeGreaterThan(0);
    expect(entries.filter((e) => e.value !== undefined || !e.valueFrom?.secretKeyRef)).toEqual([]);
    const keys = entries.map((e) => e.valueFrom?.secretKeyRef?.key ?? '');
    expect(keys.filter((key) => !NAMES.includes(key))).toEqual([]);
  });

  it("each Kubernetes Deployment logs in with its own role's password, which the Job sets", () => {
    const resources = readdirSync(join(ROOT, 'deploy/k8s'))
      .filter((file) => file.endsWith('.yaml'))
      .flatMap((file) => parseAllDocuments(readText(`deploy/k8s/${file}`)).map((d) => d.toJS()));
    const containerEnv = (kind: string) =>
      resources
        .filter((r) => r?.kind === kind)
        .map((r) => r.spec.template.spec.containers[0].env as K8sEnv[]);
    const secretOf = (entries: K8sEnv[], name: string) =>
      entries.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
    const deployments = containerEnv('Deployment');
    expect(deployments.length).toBeGreaterThan(0);
    for (const entries of deployments) {
      const user = entries.find((e) => e.name === 'DATABASE_USER')?.value ?? '';
      expect(secretOf(entries, 'DATABASE_PASSWORD')).toEqual({
        name: 'refinery-secrets',
        key: rolePasswordVariable(user),
      });
    }
    const [job] = containerEnv('Job');
    for (const variable of ROLES.map(rolePasswordVariable))
      expect(secretOf(job, variable)).toEqual({ name: 'refinery-secrets', key: variable });
  });

  it('commits no password or key, in the deployment files or the README', () => {
    const files = [
      'docker-compose.yml',
      'README.md',
      ...listFiles('deploy').filter((f) => !f.startsWith('deploy/test/')),
    ];
    // A value after PASSWORD=, password:, API_KEY: ... that is not a reference to a variable.
    const literal =
      /(password|api[_-]?key|secret)\w*["']?[ \t]*[:=][ \t]*["']?(?![$<{]|\.\.\.|none\b|unset\b)[\w+/-]{6,}/gi;
    const found = files.flatMap((file) =>
      [...readText(file).matchAll(literal)].map((m) => `${file}: ${m[0]}`),
    );
    expect(found).toEqual([]);
    const keys = files.flatMap((file) =>
      [...readText(file).matchAll(/rk_(demo|operator)_[A-Za-z0-9_-]{8,}/g)].map((m) => m[0]),
    );
    expect(keys).toEqual([]);
  });
});

function listFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return listFiles(path);
    return /\.(ya?ml|json|sh|conf|md|example|env)$/.test(entry.name) ? [path] : [];
  });
}
