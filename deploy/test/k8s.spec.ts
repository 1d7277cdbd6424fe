import { parseAllDocuments } from 'yaml';

import { service } from './support/compose';
import { composeName, manifest, readText, readYaml } from './support/repo';

interface Container {
  image: string;
  command?: string[];
  ports?: { containerPort: number }[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string } }[];
  livenessProbe?: { httpGet?: { path: string } };
  readinessProbe?: { httpGet?: { path: string } };
}

interface Resource {
  kind: string;
  metadata: { name: string };
  data?: Record<string, string>;
  spec?: { template?: { spec: { containers: Container[] } } };
}

const K8S = 'deploy/k8s';
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
