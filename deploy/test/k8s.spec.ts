import { natsPasswordVariable } from '@refinery/contracts';
import { parseAllDocuments } from 'yaml';

import { service } from './support/compose';
import { composeName, manifest, readText, readYaml } from './support/repo';

interface Container {
  image: string;
  command?: string[];
  args?: string[];
  ports?: { containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: { secretKeyRef?: { name: string; key: string } };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}

interface Resource {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: {
    template?: {
      spec: {
        containers: Container[];
        volumes?: { name: string; configMap?: { name: string } }[];
      };
    };
  };
}

const K8S = 'deploy/k8s';
const NATS_SECRET = 'refinery-nats';
const kustomization = readYaml<{ resources: string[] }>(`${K8S}/kustomization.yaml`);
const resources = kustomization.resources.flatMap((file) =>
  parseAllDocuments(readText(`${K8S}/${file}`)).map((doc) => doc.toJS() as Resource),
);
const container = (resource: Resource) => resource.spec?.template?.spec.containers[0] as Container;
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const sharedEnv =
  resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === 'refinery-env')?.data ?? {};

describe('deploy/k8s', () => {
  it.each(
    resources.filter((r) => r.kind === 'Deployment').map((r) => [r.metadata.name, r] as const),
  )('Deployment %s matches its entry in deploy/services.json', (name, deployment) => {
    const entry = manifest().find((service) => composeName(service) === name);
    expect(entry).toBeDefined();
    const c = container(deployment);
    expect(c.ports?.map((p) => p.containerPort)).toEqual([entry?.port]);
    expect(envOf(c)).toMatchObject({
      PORT: String(entry?.port),
      DATABASE_USER: `refinery_${entry?.schema}`,
    });
    expect(c.envFrom?.map((from) => from.configMapRef?.name)).toContain('refinery-env');
    expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
    expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
    const password = c.env?.find((e) => e.name === 'NATS_PASSWORD')?.valueFrom?.secretKeyRef;
    expect(envOf(c).NATS_USER).toBe(entry?.name);
    expect(password).toEqual({
      name: NATS_SECRET,
      key: natsPasswordVariable(entry?.name ?? ''),
    });
  });

  it('runs NATS with the generated configuration and the passwords from one Secret', () => {
    const nats = resources.find((r) => r.kind === 'StatefulSet' && r.metadata.name === 'nats');
    const c = container(nats as Resource);
    expect(c.args?.join(' ')).toMatch(/-c \/etc\/nats\/nats-server\.conf -js -sd \/data/);
    const config = nats?.spec?.template?.spec.volumes?.find((v) => v.configMap)?.configMap?.name;
    expect(
      resources.find((r) => r.kind === 'ConfigMap' && r.metadata.name === config)?.data,
    ).toEqual({ 'nats-server.conf': readText('deploy/nats/nats-server.conf') });
    expect(c.envFrom?.map((from) => from.secretRef?.name)).toContain(NATS_SECRET);
  });

  it('shares the settings every service reads through one ConfigMap', () => {
    for (const key of [
      'NATS_URL',
      'DATABASE_HOST',
      'DATABASE_PORT',
      'DATABASE_NAME',
      'OTEL_EXPORTER_OTLP_ENDPOINT',
      'LOG_LEVEL',
    ]) {
      expect(sharedEnv[key]).toBeTruthy();
    }
  });

  it('provisions with the same command as docker-compose', () => {
    const job = resources.find((r) => r.kind === 'Job');
    expect(container(job as Resource).command).toEqual(service('provision').command);
  });
});
