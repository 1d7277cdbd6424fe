import { spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';

import {
  EVENTS,
  natsPasswordVariable,
  natsUsers,
  servicePermissions,
  STAGES,
  STREAMS,
  tenantsOfConfig,
  type StageName,
} from '@refinery/contracts';
import {
  consumersOf,
  reprocessConsumerOf,
  type StageConfig,
  type StageDefinition,
} from '@refinery/enrichment';
import {
  READONLY_ROLE,
  readerRole,
  rolePasswordVariable,
  serviceRole,
} from '@refinery/persistence';
import { parse, parseAllDocuments } from 'yaml';

import { env as composeEnv, service } from './support/compose';
import {
  composeName,
  exists,
  manifest,
  readText,
  readYaml,
  ROOT,
  type ServiceEntry,
} from './support/repo';
import { startEveryService, type EveryService } from './support/services';

// ---------------------------------------------------------------------------------------------
// The manifests as `kubectl kustomize` renders them. kubectl is not something the project
// installs, so the test renders them itself: resources (files and directories), components,
// patches (JSON 6902 operations, or a strategic merge of maps), the namespace and `images:`.
// A kustomization field it does not know fails the test rather than being left out. Where
// kubectl is installed, its rendering is compared with this one.
// ---------------------------------------------------------------------------------------------

interface Metadata {
  name: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

interface Resource {
  apiVersion: string;
  kind: string;
  metadata: Metadata;
  spec?: unknown;
  data?: Record<string, string>;
}

interface Target {
  kind?: string;
  name?: string;
  labelSelector?: string;
}

interface Kustomization {
  apiVersion: string;
  kind: 'Kustomization' | 'Component';
  namespace?: string;
  resources?: string[];
  components?: string[];
  patches?: { path?: string; patch?: string; target?: Target }[];
  images?: { name: string; newName?: string; newTag?: string }[];
}

const FIELDS = ['apiVersion', 'kind', 'namespace', 'resources', 'components', 'patches', 'images'];
const K8S = 'deploy/k8s';

const isDirectory = (path: string) => statSync(join(ROOT, path)).isDirectory();
const clone = <T>(value: T): T => structuredClone(value);

function kustomizationOf(dir: string): Kustomization {
  const kustomization = readYaml<Kustomization>(`${dir}/kustomization.yaml`);
  const unknown = Object.keys(kustomization).filter((key) => !FIELDS.includes(key));
  if (unknown.length > 0)
    throw new Error(`${dir}/kustomization.yaml: the test cannot render ${unknown.join(', ')}`);
  return kustomization;
}

function documents(path: string): Resource[] {
  return parseAllDocuments(readText(path))
    .map((doc) => doc.toJS() as Resource | null)
    .filter((doc): doc is Resource => doc !== null);
}

/** The resources a kustomization lists: files, and directories rendered as kustomizations. */
function gather(dir: string, kustomization: Kustomization): Resource[] {
  return (kustomization.resources ?? []).flatMap((entry) => {
    const path = posix.join(dir, entry);
    return isDirectory(path) ? render(path) : documents(path);
  });
}

/** The resources of the kustomization in `dir`, with `components` added to its own. */
function render(dir: string, components: readonly string[] = []): Resource[] {
  const kustomization = kustomizationOf(dir);
  let resources = gather(dir, kustomization);
  for (const component of [...(kustomization.components ?? []), ...components]) {
    const path = posix.join(dir, component);
    const own = kustomizationOf(path);
    if (own.kind !== 'Component') throw new Error(`${path} is not a kustomize Component`);
    resources = transform(path, own, [...resources, ...gather(path, own)]);
  }
  return transform(dir, kustomization, resources);
}

/** What kustomize does after gathering the resources: patches, then namespace, then images. */
function transform(dir: string, kustomization: Kustomization, input: Resource[]): Resource[] {
  let resources = input.map(clone);
  for (const entry of kustomization.patches ?? []) {
    const text = entry.path ? readText(posix.join(dir, entry.path)) : (entry.patch ?? '');
    const patch = parse(text) as unknown;
    const target =
      entry.target ??
      (Array.isArray(patch)
        ? undefined
        : { kind: (patch as Resource).kind, name: (patch as Resource).metadata.name });
    if (!target) throw new Error(`${dir}: a JSON 6902 patch needs a target`);
    const matched = resources.filter((r) => matches(r, target));
    if (matched.length === 0)
      throw new Error(`${dir}: no resource for patch ${JSON.stringify(target)}`);
    resources = resources.map((r) => {
      if (!matched.includes(r)) return r;
      return Array.isArray(patch) ? applyOperations(r, patch as Operation[]) : mergeMaps(r, patch);
    }) as Resource[];
  }
  if (kustomization.namespace && kustomization.kind !== 'Component') {
    for (const resource of resources) resource.metadata.namespace = kustomization.namespace;
  }
  for (const image of kustomization.images ?? []) setImage(resources, image);
  return resources;
}

function matches(resource: Resource, target: Target): boolean {
  if (target.kind && resource.kind !== target.kind) return false;
  if (target.name && resource.metadata.name !== target.name) return false;
  for (const term of target.labelSelector?.split(',') ?? []) {
    const [key, value] = term.split('=');
    if (value === undefined || /[!()]/.test(term))
      throw new Error(`label selector "${term}": the test matches key=value only`);
    if (resource.metadata.labels?.[key.trim()] !== value.trim()) return false;
  }
  return true;
}

interface Operation {
  op: 'add' | 'replace' | 'remove';
  path: string;
  value?: unknown;
}

/** RFC 6902 add, replace and remove; RFC 6901 pointers with `~0`, `~1` and `-`. */
function applyOperations(resource: Resource, operations: Operation[]): Resource {
  const doc = clone(resource) as unknown as Record<string, unknown>;
  for (const { op, path, value } of operations) {
    const tokens = path
      .split('/')
      .slice(1)
      .map((t) => t.replace(/~1/g, '/').replace(/~0/g, '~'));
    const last = tokens.pop() as string;
    let parent: unknown = doc;
    for (const token of tokens) {
      parent = (parent as Record<string, unknown>)[token];
      if (typeof parent !== 'object' || parent === null)
        throw new Error(`${resource.metadata.name}: no ${path} to ${op} at`);
    }
    if (Array.isArray(parent)) {
      const index = last === '-' ? parent.length : Number(last);
      if (op === 'add') parent.splice(index, 0, clone(value));
      else if (op === 'replace') parent[index] = clone(value);
      else parent.splice(index, 1);
    } else {
      const map = parent as Record<string, unknown>;
      if (op !== 'add' && !(last in map))
        throw new Error(`${resource.metadata.name}: no ${path} to ${op}`);
      if (op === 'remove') delete map[last];
      else map[last] = clone(value);
    }
  }
  return doc as unknown as Resource;
}

/** A strategic merge patch of maps only: kustomize merges lists by keys this test does not know. */
function mergeMaps(base: unknown, patch: unknown): unknown {
  if (Array.isArray(patch)) throw new Error('the test merges maps, not lists: use a JSON patch');
  if (typeof patch !== 'object' || patch === null) return patch;
  const merged = { ...(typeof base === 'object' && base !== null ? base : {}) } as Record<
    string,
    unknown
  >;
  for (const [key, value] of Object.entries(patch)) merged[key] = mergeMaps(merged[key], value);
  return merged;
}

/** `images:` as kustomize applies them: every `image` of a `containers` or `initContainers` list. */
function setImage(node: unknown, image: { name: string; newName?: string; newTag?: string }) {
  if (Array.isArray(node)) return node.forEach((item) => setImage(item, image));
  if (typeof node !== 'object' || node === null) return;
  for (const [key, value] of Object.entries(node)) {
    if ((key === 'containers' || key === 'initContainers') && Array.isArray(value)) {
      for (const c of value as { image?: string }[]) {
        const name = c.image?.split(/[:@]/)[0];
        if (name === image.name)
          c.image = `${image.newName ?? name}:${image.newTag ?? c.image?.split(':')[1] ?? 'latest'}`;
      }
    }
    setImage(value, image);
  }
}

// ---------------------------------------------------------------------------------------------
// The rendered set and what the tests read from it.
// ---------------------------------------------------------------------------------------------

interface Probe {
  httpGet?: { path: string; port: string | number };
}

interface Container {
  name: string;
  image: string;
  command?: string[];
  args?: string[];
  ports?: { name?: string; containerPort: number }[];
  env?: {
    name: string;
    value?: string;
    valueFrom?: {
      secretKeyRef?: { name: string; key: string };
      configMapKeyRef?: { name: string; key: string };
    };
  }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  volumeMounts?: { name: string; mountPath: string }[];
  livenessProbe?: Probe;
  readinessProbe?: Probe;
  startupProbe?: Probe;
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean };
  resources?: {
    requests?: { cpu?: string; memory?: string };
    limits?: { cpu?: string; memory?: string };
  };
}

interface PodTemplate {
  metadata: { labels: Record<string, string> };
  spec: {
    containers: Container[];
    terminationGracePeriodSeconds?: number;
    securityContext?: { runAsNonRoot?: boolean };
    volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
  };
}

interface Workload extends Resource {
  spec: {
    replicas?: number;
    selector: { matchLabels: Record<string, string> };
    template: PodTemplate;
  };
}

interface ServiceResource extends Resource {
  spec: {
    clusterIP?: string;
    selector: Record<string, string>;
    ports: { name?: string; port: number; targetPort?: string | number }[];
  };
}

interface Budget extends Resource {
  spec: {
    maxUnavailable?: number | string;
    minAvailable?: number | string;
    selector: { matchLabels: Record<string, string> };
  };
}

interface Trigger {
  type: string;
  metadata: Record<string, string>;
}

interface ScaledObject extends Resource {
  spec: {
    scaleTargetRef: { name: string; kind?: string };
    minReplicaCount?: number;
    maxReplicaCount?: number;
    triggers: Trigger[];
  };
}

const KUBECTL = '/usr/bin/kubectl';
const NATS_SECRET = 'refinery-nats';
const DB_SECRET = 'refinery-secrets';
const SINGLE_NODE = 'single-node';

const kustomization = kustomizationOf(K8S);
const resources = render(K8S);
const singleNode = render(K8S, [SINGLE_NODE]);

const find = <T extends Resource>(set: Resource[], kind: string, name: string) =>
  set.find((r) => r.kind === kind && r.metadata.name === name) as T | undefined;
const ofKind = <T extends Resource>(set: Resource[], kind: string) =>
  set.filter((r) => r.kind === kind) as T[];
const container = (workload: Workload) => workload.spec.template.spec.containers[0];
const envOf = (c: Container) => Object.fromEntries((c.env ?? []).map((e) => [e.name, e.value]));
const secretOf = (c: Container, name: string) =>
  c.env?.find((e) => e.name === name)?.valueFrom?.secretKeyRef;
const sharedEnv = find(resources, 'ConfigMap', 'refinery-env')?.data ?? {};
const selects = (selector: Record<string, string>, labels: Record<string, string>) =>
  Object.entries(selector).every(([key, value]) => labels[key] === value);

/** `250m`, `1` cores; `256Mi`, `1Gi` bytes. */
function quantity(value: string | undefined): number {
  const match = /^(\d+(?:\.\d+)?)(m|Ki|Mi|Gi)?$/.exec(value ?? '');
  if (!match) throw new Error(`not a quantity this test reads: ${value}`);
  const units: Record<string, number> = { m: 1e-3, Ki: 2 ** 10, Mi: 2 ** 20, Gi: 2 ** 30 };
  return Number(match[1]) * (match[2] ? units[match[2]] : 1);
}

/** The port a probe's `port` names (or is), as the container declares it. */
function probePort(c: Container, probe: Probe | undefined): number | undefined {
  const port = probe?.httpGet?.port;
  return typeof port === 'number' ? port : c.ports?.find((p) => p.name === port)?.containerPort;
}

// The NATS Helm release (nats-helm-values.yaml) and its Services, from the README's command.
interface HelmValues {
  config: {
    cluster: {
      enabled: boolean;
      replicas: number;
      merge: { authorization: { user: string; password: string }; routes: string };
    };
    jetstream: {
      enabled: boolean;
      fileStore: { enabled: boolean; pvc: { enabled: boolean; size: string } };
    };
    monitor: { enabled: boolean; port: number };
    merge: Record<string, unknown>;
  };
  container: {
    image: { tag: string };
    env: Record<string, string>;
    merge: { envFrom: { secretRef?: { name: string } }[] } & Pick<Container, 'resources'>;
    patch: Operation[];
  };
  podTemplate: { patch: Operation[] };
}

const README = readText(`${K8S}/README.md`);
const helmValues = readYaml<HelmValues>(`${K8S}/nats-helm-values.yaml`);
const helmInstall = /helm install (\S+) nats\/nats .*-f deploy\/k8s\/nats-helm-values\.yaml/.exec(
  README,
);
const release = helmInstall?.[1] ?? '';
/** What the chart makes for release `nats`: Service `nats` (client) and `nats-headless` (all ports). */
const helmServices: Record<string, number[]> = {
  [release]: [4222],
  [`${release}-headless`]: [
    4222,
    ...(helmValues.config.monitor.enabled ? [helmValues.config.monitor.port] : []),
  ],
};

/** A compose variable Kubernetes leaves out, and why. */
const COMPOSE_ONLY: Record<string, string> = {
  REFINERY_DEMO_API_KEY: 'the demo tenant that `npm start` and compose make',
  DATABASE_HOST: "compose's own Postgres container; config.yaml names the managed instance",
};

/** The NATS account the services' users and streams are in. */
const ACCOUNT = natsUsers([]).find((user) => user.kind === 'service')?.account;

describe('deploy/k8s', () => {
  it('renders to resources of current API versions, each named once, in one namespace', () => {
    const versions: Record<string, string> = {
      ConfigMap: 'v1',
      Service: 'v1',
      Deployment: 'apps/v1',
      StatefulSet: 'apps/v1',
      Job: 'batch/v1',
      PodDisruptionBudget: 'policy/v1',
      ScaledObject: 'keda.sh/v1alpha1',
    };
    for (const set of [resources, singleNode]) {
      const ids = set.map((r) => `${r.kind}/${r.metadata.namespace}/${r.metadata.name}`);
      expect(ids.length).toBeGreaterThan(0);
      expect(new Set(ids).size).toBe(ids.length);
      expect(new Set(set.map((r) => r.metadata.namespace))).toEqual(
        new Set([kustomization.namespace]),
      );
      for (const r of set) expect([r.kind, r.apiVersion]).toEqual([r.kind, versions[r.kind]]);
    }
  });

  it('uses every manifest in deploy/k8s, as a resource, patch or component, or as Helm values', () => {
    const used = new Set<string>();
    const walk = (dir: string) => {
      const k = kustomizationOf(dir);
      used.add(`${dir}/kustomization.yaml`);
      for (const entry of [...(k.resources ?? []), ...(k.components ?? [])]) {
        const path = posix.join(dir, entry);
        if (isDirectory(path)) walk(path);
        else used.add(path);
      }
      for (const patch of k.patches ?? []) if (patch.path) used.add(posix.join(dir, patch.path));
    };
    walk(K8S);
    walk(`${K8S}/${SINGLE_NODE}`);
    used.add(`${K8S}/nats-helm-values.yaml`);
    const files = (dir: string): string[] =>
      readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory()
          ? files(`${dir}/${entry.name}`)
          : entry.name.endsWith('.yaml')
            ? [`${dir}/${entry.name}`]
            : [],
      );
    expect(files(K8S).filter((file) => !used.has(file))).toEqual([]);
  });

  it('tags every image: the services through `images:` in kustomization.yaml', () => {
    const images = resources.flatMap((r) =>
      ((r.spec as Workload['spec'] | undefined)?.template?.spec.containers ?? []).map(
        (c) => c.image,
      ),
    );
    expect(images.length).toBeGreaterThan(0);
    for (const image of images) expect(image).toMatch(/^[\w./-]+:[\w.-]+$/);
    const named = new Set((kustomization.images ?? []).map((i) => i.name));
    for (const entry of manifest()) expect(named).toContain(`refinery/${entry.name}`);
  });

  describe.each(manifest().map((entry) => [composeName(entry), entry] as const))(
    '%s',
    (name, entry: ServiceEntry) => {
      const deployment = find<Workload>(resources, 'Deployment', name);
      const c = deployment && container(deployment);

      it('has a Deployment matching its entry in deploy/services.json', () => {
        expect(c).toBeDefined();
        if (!c) return;
        expect(c.ports?.map((p) => p.containerPort)).toEqual([entry.port]);
        expect(c.image).toMatch(new RegExp(`^refinery/${entry.name}:`));
        expect(envOf(c)).toMatchObject({
          PORT: String(entry.port),
          DATABASE_USER: `refinery_${entry.schema}`,
        });
        expect(c.envFrom?.map((from) => from.configMapRef?.name)).toContain('refinery-env');
        expect(envOf(c).NATS_USER).toBe(entry.name);
        expect(secretOf(c, 'NATS_PASSWORD')).toEqual({
          name: NATS_SECRET,
          key: natsPasswordVariable(entry.name),
        });
      });

      it('probes /health/live and /health/ready on its port, after a startup probe', () => {
        if (!c) throw new Error(`no Deployment ${name}`);
        expect(c.livenessProbe?.httpGet?.path).toBe('/health/live');
        expect(c.readinessProbe?.httpGet?.path).toBe('/health/ready');
        expect(c.startupProbe?.httpGet?.path).toBe('/health/live');
        for (const probe of [c.livenessProbe, c.readinessProbe, c.startupProbe])
          expect(probePort(c, probe)).toBe(entry.port);
      });

      it('drains before it is killed, runs as the image user, and requests measured resources', () => {
        if (!deployment || !c) throw new Error(`no Deployment ${name}`);
        const pod = deployment.spec.template.spec;
        // Running handlers get 25 s after SIGTERM, then NATS is flushed (5 s).
        expect(pod.terminationGracePeriodSeconds).toBeGreaterThanOrEqual(30);
        expect(pod.securityContext?.runAsNonRoot).toBe(true);
        expect(c.securityContext).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
        });
        const { requests, limits } = c.resources ?? {};
        expect(quantity(requests?.cpu)).toBeGreaterThan(0);
        expect(quantity(limits?.memory)).toBeGreaterThanOrEqual(quantity(requests?.memory));
        // Each number says where it comes from (deploy/k8s/README.md, "Resources").
        expect(readText(`${K8S}/${name}.yaml`)).toMatch(/#.*\bbench:\w+/);
      });

      it('takes every setting docker-compose.yml gives it, from the same Secret keys', () => {
        if (!c) throw new Error(`no Deployment ${name}`);
        const own = envOf(c);
        for (const [variable, value] of Object.entries(composeEnv(service(name)))) {
          if (variable in COMPOSE_ONLY || /^\$\{\w+:-/.test(value)) continue;
          const required = /^\$\{(\w+):\?/.exec(value)?.[1];
          if (required) {
            const secret = required.startsWith('REFINERY_NATS_') ? NATS_SECRET : DB_SECRET;
            expect([variable, secretOf(c, variable)]).toEqual([
              variable,
              { name: secret, key: required },
            ]);
          } else {
            expect([variable, own[variable] ?? sharedEnv[variable]]).toEqual([variable, value]);
          }
        }
      });

      it('has a Service on its port and a PodDisruptionBudget for its pods', () => {
        if (!deployment) throw new Error(`no Deployment ${name}`);
        const pods = deployment.spec.template.metadata.labels;
        expect(selects(deployment.spec.selector.matchLabels, pods)).toBe(true);
        const svc = find<ServiceResource>(resources, 'Service', name);
        expect(svc && selects(svc.spec.selector, pods)).toBe(true);
        expect(svc?.spec.ports.map((p) => p.port)).toEqual([entry.port]);
        const budget = find<Budget>(resources, 'PodDisruptionBudget', name);
        expect(budget && selects(budget.spec.selector.matchLabels, pods)).toBe(true);
        const scaled = find<ScaledObject>(resources, 'ScaledObject', name);
        const least = scaled?.spec.minReplicaCount ?? deployment.spec.replicas ?? 1;
        if (budget?.spec.minAvailable !== undefined) {
          // minAvailable only where there are more replicas than it, or no node could drain.
          expect(least).toBeGreaterThanOrEqual(2);
          expect(Number(budget.spec.minAvailable)).toBeLessThan(least);
        } else {
          expect(Number(budget?.spec.maxUnavailable)).toBeGreaterThanOrEqual(1);
        }
      });
    },
  );

  it('leaves the replicas of a Deployment to its ScaledObject', () => {
    const scaled = ofKind<ScaledObject>(resources, 'ScaledObject');
    for (const object of scaled) {
      const target = find<Workload>(
        resources,
        object.spec.scaleTargetRef.kind ?? 'Deployment',
        object.spec.scaleTargetRef.name,
      );
      expect([object.metadata.name, target?.spec.replicas]).toEqual([
        object.metadata.name,
        undefined,
      ]);
      // A service answers HTTP and runs its schedules: never scaled to zero.
      expect(object.spec.minReplicaCount).toBeGreaterThanOrEqual(1);
      expect(object.spec.maxReplicaCount).toBeGreaterThanOrEqual(object.spec.minReplicaCount ?? 1);
    }
  });

  it("scales every service the event map gives a durable consumer, on its streams' lag", () => {
    // models.published is read through an ordered consumer, not a durable one.
    const consumers = new Set(
      Object.entries(EVENTS)
        .filter(([event]) => event !== 'models.published')
        .flatMap(([, def]) => def.subscribers.map((party) => party.service)),
    );
    expect(consumers.size).toBeGreaterThan(0);
    for (const name of consumers) {
      const scaled = find<ScaledObject>(resources, 'ScaledObject', name);
      expect([name, scaled?.spec.scaleTargetRef.name]).toEqual([name, name]);
      const jetstream = scaled?.spec.triggers.filter((t) => t.type === 'nats-jetstream') ?? [];
      expect([name, jetstream.length > 0]).toEqual([name, true]);
      // The streams its NATS user may make consumers on: the ones the event map lets it read.
      const readable = servicePermissions(name)
        .publish.map((subject) => /^\$JS\.API\.CONSUMER\.CREATE\.(\w+)\./.exec(subject)?.[1])
        .filter((stream) => stream !== undefined);
      for (const trigger of jetstream) expect(readable).toContain(trigger.metadata.stream);
    }
  });

  it.each(STAGES.map((stage) => [stage] as const))(
    '%s scales on the durables the stage runtime gives it',
    (stage) => {
      // Its source as the event map has it: the previous stage's results, or received records.
      const previous = EVENTS['enrichment.done'].subscribers.find((p) => p.service === stage)
        ?.params?.stage as StageName | undefined;
      const definition = {
        name: stage,
        source: previous
          ? { event: 'enrichment.done', stage: previous }
          : { event: 'records.received' },
      } as StageDefinition;
      const config = {} as StageConfig;
      const expected = [...consumersOf(definition, config), reprocessConsumerOf(definition, config)]
        .map((c) => `${c.stream}/${c.durable}`)
        .sort();
      const triggers = (find<ScaledObject>(resources, 'ScaledObject', stage)?.spec.triggers ?? [])
        .filter((t) => t.type === 'nats-jetstream')
        .map((t) => `${t.metadata.stream}/${t.metadata.consumer}`)
        .sort();
      expect(triggers).toEqual(expected);
    },
  );

  it('points every lag trigger at the NATS monitoring port, in the account of the streams', () => {
    const triggers = ofKind<ScaledObject>(resources, 'ScaledObject').flatMap((s) =>
      s.spec.triggers.filter((t) => t.type === 'nats-jetstream'),
    );
    expect(triggers.length).toBeGreaterThan(0);
    const streams: string[] = Object.values(STREAMS).map((s) => s.name);
    for (const { metadata } of triggers) {
      expect(metadata.account).toBe(ACCOUNT);
      expect(streams).toContain(metadata.stream);
      expect(metadata.consumer).toMatch(/^[\w-]+$/);
      expect(Number(metadata.lagThreshold)).toBeGreaterThan(0);
      // KEDA calls from its own namespace, and reaches each server as <pod>.<this host>.
      const [host, port] = metadata.natsServerMonitoringEndpoint.split(':');
      expect(host).toBe(`${release}-headless.${kustomization.namespace}.svc.cluster.local`);
      expect(Number(port)).toBe(helmValues.config.monitor.port);
    }
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
    const job = ofKind<Workload>(resources, 'Job')[0];
    expect(container(job).command).toEqual(service('provision').command);
  });

  describe('NATS: the Helm release of nats-helm-values.yaml', () => {
    it('runs three servers in one cluster, with JetStream on a volume each', () => {
      const { cluster, jetstream, monitor } = helmValues.config;
      expect(cluster).toMatchObject({ enabled: true, replicas: 3 });
      expect(jetstream.enabled).toBe(true);
      expect(jetstream.fileStore).toMatchObject({ enabled: true, pvc: { enabled: true } });
      expect(quantity(jetstream.fileStore.pvc.size)).toBeGreaterThan(0);
      expect(monitor.enabled).toBe(true);
    });

    it('has the services create every stream with as many replicas as it has servers', () => {
      expect(sharedEnv.NATS_STREAM_REPLICAS).toBe(String(helmValues.config.cluster.replicas));
    });

    it('is the release the services and KEDA reach, installed as the README says', () => {
      expect(release).not.toBe('');
      expect(README).toContain(`--namespace ${kustomization.namespace}`);
      expect(new URL(sharedEnv.NATS_URL).hostname).toBe(release);
    });

    it('includes the generated accounts and users, with the passwords from one Secret', () => {
      const include = Object.entries(helmValues.config.merge).find(([key]) =>
        key.endsWith('$include'),
      )?.[1] as string;
      const file = posix.join('/etc/nats-config', include);
      const mount = helmValues.container.patch.find((op) => op.path === '/volumeMounts/-')
        ?.value as { name: string; mountPath: string };
      expect(file).toBe(`${mount.mountPath}/nats-server.conf`);
      // Under /etc/: the chart mounts it into its config reloader too.
      expect(mount.mountPath.startsWith('/etc/')).toBe(true);
      const volume = helmValues.podTemplate.patch.find((op) => op.path === '/spec/volumes/-')
        ?.value as { name: string; configMap: { name: string } };
      expect(volume.name).toBe(mount.name);
      expect(find(resources, 'ConfigMap', volume.configMap.name)?.data).toEqual({
        'nats-server.conf': readText('deploy/nats/nats-server.conf'),
      });
      expect(helmValues.container.merge.envFrom.map((from) => from.secretRef?.name)).toContain(
        NATS_SECRET,
      );
    });

    it('lets only the servers open routes, with a password from the same Secret', () => {
      const { authorization, routes } = helmValues.config.cluster.merge;
      const password = /^<< \$(\w+) >>$/.exec(authorization.password)?.[1] ?? '';
      expect(password).toMatch(/^REFINERY_NATS_\w+_PASSWORD$/);
      expect(README).toContain(`\`${password}\``);
      // The chart's routes carry no login: NATS_ROUTES replaces them, one per server.
      expect(routes).toBe('<< $NATS_ROUTES >>');
      const urls = helmValues.container.env.NATS_ROUTES.replace(/^\[|\]$/g, '').split(/,\s*/);
      expect(urls).toEqual(
        Array.from(
          { length: helmValues.config.cluster.replicas },
          (_, i) =>
            `nats://${authorization.user}:$(${password})@${release}-${i}.${release}-headless:6222`,
        ),
      );
      // The same login as the nodes of deploy/nats/cluster/node.conf.
      if (exists('deploy/nats/cluster/node.conf')) {
        const node = /authorization \{\s*user: (\w+)\s*password: \$(\w+)/.exec(
          readText('deploy/nats/cluster/node.conf'),
        );
        expect(node?.slice(1)).toEqual([authorization.user, password]);
      }
    });

    it('runs the nats-server docker-compose.yml runs', () => {
      expect(`nats:${helmValues.container.image.tag}`).toBe(service('nats').image);
    });
  });

  describe(`NATS: one server of its own (component ${SINGLE_NODE})`, () => {
    it('runs NATS with the generated configuration and the passwords from one Secret', () => {
      const nats = find<Workload>(singleNode, 'StatefulSet', 'nats');
      expect(nats).toBeDefined();
      const c = container(nats as Workload);
      expect(c.args?.join(' ')).toMatch(/-c \/etc\/nats\/nats-server\.conf -js -sd \/data/);
      const config = nats?.spec.template.spec.volumes?.find((v) => v.configMap)?.configMap?.name;
      expect(find(singleNode, 'ConfigMap', config ?? '')?.data).toEqual({
        'nats-server.conf': readText('deploy/nats/nats-server.conf'),
      });
      expect(c.envFrom?.map((from) => from.secretRef?.name)).toContain(NATS_SECRET);
      expect(c.image).toBe(service('nats').image);
    });

    it('keeps one copy of each stream, and has the Services of the Helm release', () => {
      const env = find(singleNode, 'ConfigMap', 'refinery-env')?.data;
      expect(env?.NATS_STREAM_REPLICAS).toBe('1');
      expect(find<Workload>(singleNode, 'StatefulSet', 'nats')?.spec.replicas).toBe(1);
      for (const [name, ports] of Object.entries(helmServices)) {
        const svc = find<ServiceResource>(singleNode, 'Service', name);
        expect([name, svc?.spec.ports.map((p) => p.port).sort()]).toEqual([
          name,
          [...ports].sort(),
        ]);
      }
      expect(
        find<ServiceResource>(singleNode, 'Service', `${release}-headless`)?.spec.clusterIP,
      ).toBe('None');
      // Everything else is the same set.
      const others = (set: Resource[]) =>
        set.filter((r) => !(r.kind === 'ConfigMap' && r.metadata.name === 'refinery-env'));
      expect(others(singleNode)).toEqual(expect.arrayContaining(others(resources)));
    });
  });

  describe('references', () => {
    const documented = (name: string) => README.includes(`\`${name}\``);

    it.each([
      ['the Helm release', resources],
      [SINGLE_NODE, singleNode],
    ] as const)('name ConfigMaps and keys of the set, and documented Secrets (%s)', (_, set) => {
      const configMaps = new Map(ofKind(set, 'ConfigMap').map((r) => [r.metadata.name, r.data]));
      const tenants = tenantsOfConfig(readText('deploy/nats/nats-server.conf')) ?? [];
      const secretKeys: Record<string, string[]> = {
        [NATS_SECRET]: natsUsers(tenants).map((user) => user.passwordVariable),
        [DB_SECRET]: [
          ...manifest().map((entry) => serviceRole(entry.schema)),
          ...manifest()
            .filter((entry) => entry.reader)
            .map((entry) => readerRole(entry.schema)),
          READONLY_ROLE,
        ]
          .map(rolePasswordVariable)
          .concat('REFINERY_DB_ADMIN_PASSWORD', 'REFINERY_ADMIN_API_KEY'),
      };
      const pods = [
        ...ofKind<Workload>(set, 'Deployment'),
        ...ofKind<Workload>(set, 'StatefulSet'),
        ...ofKind<Workload>(set, 'Job'),
      ].map((w) => w.spec.template.spec);
      expect(pods.length).toBeGreaterThan(0);
      for (const pod of pods) {
        for (const c of pod.containers) {
          for (const from of c.envFrom ?? []) {
            if (from.configMapRef) expect(configMaps.has(from.configMapRef.name)).toBe(true);
            if (from.secretRef) expect(Object.keys(secretKeys)).toContain(from.secretRef.name);
          }
          for (const { valueFrom } of c.env ?? []) {
            const ref = valueFrom?.configMapKeyRef;
            if (ref) expect(Object.keys(configMaps.get(ref.name) ?? {})).toContain(ref.key);
            const secret = valueFrom?.secretKeyRef;
            if (secret) expect(secretKeys[secret.name]).toContain(secret.key);
          }
        }
        for (const volume of pod.volumes ?? []) {
          if (volume.configMap) expect(configMaps.has(volume.configMap.name)).toBe(true);
          if (volume.secret) expect(Object.keys(secretKeys)).toContain(volume.secret.secretName);
        }
      }
      // Secrets are made outside the set, as the README says.
      for (const name of Object.keys(secretKeys))
        expect([name, documented(name)]).toEqual([name, true]);
      expect(ofKind(set, 'Secret')).toEqual([]);
    });

    it.each([
      ['the Helm release', resources],
      [SINGLE_NODE, singleNode],
    ] as const)(
      'reach Services of the set, of the NATS release, or documented outside (%s)',
      (_, set) => {
        const services = new Map(
          ofKind<ServiceResource>(set, 'Service').map((s) => [
            s.metadata.name,
            s.spec.ports.map((p) => p.port),
          ]),
        );
        const helm = set === resources;
        const addresses: string[] = [
          ...Object.values(find(set, 'ConfigMap', 'refinery-env')?.data ?? {}),
          ...ofKind<Workload>(set, 'Deployment').flatMap((d) =>
            (container(d).env ?? []).flatMap((e) => (e.value ? [e.value] : [])),
          ),
        ].filter((value) => /^\w+:\/\/[\w.-]+:\d+/.test(value));
        const endpoints = ofKind<ScaledObject>(set, 'ScaledObject').flatMap((s) =>
          s.spec.triggers.flatMap((t) =>
            t.metadata.natsServerMonitoringEndpoint
              ? [`http://${t.metadata.natsServerMonitoringEndpoint}`]
              : [],
          ),
        );
        expect(addresses.length).toBeGreaterThan(0);
        for (const address of [...addresses, ...endpoints]) {
          const url = new URL(address);
          const [host, namespace] = url.hostname.split('.');
          if (namespace !== undefined && url.hostname.endsWith('.svc.cluster.local'))
            expect(namespace).toBe(kustomization.namespace);
          const ports = services.get(host) ?? (helm ? helmServices[host] : undefined);
          if (ports)
            expect([address, ports]).toEqual([address, expect.arrayContaining([Number(url.port)])]);
          else
            expect([address, documented(`${url.hostname}:${url.port}`)]).toEqual([address, true]);
        }
        // The database is the managed instance the README asks for.
        expect(README).toContain('config.yaml');
      },
    );

    it('target Deployments of the set from every ScaledObject', () => {
      for (const scaled of ofKind<ScaledObject>(resources, 'ScaledObject'))
        expect(find(resources, 'Deployment', scaled.spec.scaleTargetRef.name)).toBeDefined();
    });
  });

  const withKubectl = existsSync(KUBECTL) ? it : it.skip;
  withKubectl.each([
    ['deploy/k8s', []],
    [`deploy/k8s with ${SINGLE_NODE}`, [SINGLE_NODE]],
  ] as const)('renders as `kubectl kustomize` does (%s)', (_, components) => {
    const dir = mkdtempSync(join(tmpdir(), 'refinery-k8s-'));
    try {
      cpSync(join(ROOT, K8S), dir, { recursive: true });
      if (components.length > 0) {
        const file = join(dir, 'kustomization.yaml');
        const own = readText(`${K8S}/kustomization.yaml`);
        writeFileSync(file, `${own}components:\n${components.map((c) => `  - ${c}\n`).join('')}`);
      }
      const result = spawnSync(KUBECTL, ['kustomize', dir], { encoding: 'utf8' });
      expect({ status: result.status, stderr: result.stderr }).toMatchObject({ status: 0 });
      const key = (r: Resource) => `${r.kind}/${r.metadata.name}`;
      const byKey = (set: Resource[]) => Object.fromEntries(set.map((r) => [key(r), r]));
      const theirs = parseAllDocuments(result.stdout).map((doc) => doc.toJS() as Resource);
      expect(byKey(theirs)).toEqual(byKey(components.length > 0 ? singleNode : resources));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------------------------------------
// The durable consumers the services make, as they say when they start ("consuming <filter>
// from <stream> as <durable>"): each service as its own process, as the launcher runs it.
// ---------------------------------------------------------------------------------------------

describe('deploy/k8s ScaledObjects and the durables the services create', () => {
  let running: EveryService | undefined;
  const durables = new Map<string, Set<string>>();
  const resident = new Map<string, number>();

  beforeAll(async () => {
    // At info, each consumer's start is logged.
    running = await startEveryService({ LOG_LEVEL: 'info' });
    for (const entry of manifest()) {
      const started = running.services[entry.name];
      const found = new Set<string>();
      for (const [, stream, durable] of started
        .logs()
        .matchAll(/consuming \S+ from (\w+) as ([\w-]+)/g)) {
        // A service following one tenant names its durables `<name>_<tenant>`.
        found.add(`${stream}/${durable.replace(/_[^_]+$/, '')}`);
      }
      durables.set(composeName(entry), found);
      const metrics = await (await fetch(`${started.url}/metrics`)).text();
      const rss = /^process_resident_memory_bytes(?:\{[^}]*\})? (\S+)$/m.exec(metrics)?.[1];
      resident.set(composeName(entry), Number(rss));
    }
    expect([...durables.values()].some((found) => found.size > 0)).toBe(true);
  }, 120_000);

  afterAll(async () => {
    await running?.stop();
  });

  it.each(manifest().map((entry) => [composeName(entry)] as const))(
    '%s scales on the lag of each durable consumer it owns, and of no other',
    (name) => {
      const owned = [...(durables.get(name) ?? [])].sort();
      const scaled = find<ScaledObject>(resources, 'ScaledObject', name);
      const triggers = (scaled?.spec.triggers ?? [])
        .filter((t) => t.type === 'nats-jetstream')
        .map((t) => `${t.metadata.stream}/${t.metadata.consumer}`)
        .sort();
      expect(triggers).toEqual(owned);
    },
  );

  it.each(manifest().map((entry) => [composeName(entry)] as const))(
    '%s requests more memory than it holds once started',
    (name) => {
      const deployment = find<Workload>(resources, 'Deployment', name);
      const requested = quantity(container(deployment as Workload).resources?.requests?.memory);
      // The resident memory the manifests' comments give: the service's own
      // process_resident_memory_bytes, read from /metrics once it is ready.
      const held = resident.get(name);
      expect(Number.isFinite(held)).toBe(true);
      expect(held).toBeLessThan(requested);
    },
  );
});
