import { join } from 'node:path';
import { stringify } from 'yaml';
import { workspaceRoot } from '../workspace-root';
import { buildNatsConfig } from './nats-config';

export const NATS_CONFIG_PATH = join(workspaceRoot, 'deploy', 'nats', 'nats-server.conf');
/** The same configuration as a ConfigMap, so `kubectl apply -k deploy/k8s` carries it. */
export const NATS_CONFIG_MAP_PATH = join(workspaceRoot, 'deploy', 'k8s', 'nats-config.yaml');

function configMap(config: string): string {
  const resource = {
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: {
      name: 'refinery-nats-config',
      labels: { 'app.kubernetes.io/part-of': 'refinery' },
    },
    data: { 'nats-server.conf': config },
  };
  return `# Generated with deploy/nats/nats-server.conf by \`npm run nats-config\`; do not edit.\n${stringify(resource, { lineWidth: 0 })}`;
}

/** Every file `npm run nats-config` writes, with its content. */
export function natsConfigFiles(tenants?: readonly string[]): { path: string; content: string }[] {
  const config = buildNatsConfig(tenants);
  return [
    { path: NATS_CONFIG_PATH, content: config },
    { path: NATS_CONFIG_MAP_PATH, content: configMap(config) },
  ];
}
