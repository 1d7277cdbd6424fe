import { posix } from 'node:path';

import { readYaml } from './repo';

export interface ComposeService {
  image?: string;
  build?: { context?: string; dockerfile?: string; args?: Record<string, string> | string[] };
  command?: string | string[];
  environment?: Record<string, string | number | boolean | null> | string[];
  ports?: (string | number | { target: number | string; published?: number | string })[];
  volumes?: (string | { type: string; source?: string; target: string })[];
  healthcheck?: { test?: string | string[]; disable?: boolean };
  depends_on?: string[] | Record<string, { condition: string }>;
  restart?: string;
  secrets?: (string | { source: string; target?: string })[];
}

export interface Compose {
  services: Record<string, ComposeService>;
  volumes?: Record<string, unknown>;
  secrets?: Record<string, { file?: string; environment?: string }>;
}

export const compose = readYaml<Compose>('docker-compose.yml');

export function service(name: string): ComposeService {
  const found = compose.services[name];
  if (!found) throw new Error(`docker-compose.yml has no service "${name}"`);
  return found;
}

export function env(svc: ComposeService): Record<string, string> {
  const raw = svc.environment ?? {};
  const pairs = Array.isArray(raw)
    ? raw.map((item) => item.split(/=(.*)/s).slice(0, 2) as [string, string])
    : Object.entries(raw).map(
        ([key, value]) => [key, value === null ? '' : String(value)] as [string, string],
      );
  return Object.fromEntries(pairs);
}

/** Where a path inside a container comes from in the repository, through a bind mount. */
export function mountedFrom(name: string, containerPath: string): string | undefined {
  for (const volume of service(name).volumes ?? []) {
    const [source, target] =
      typeof volume === 'string' ? volume.split(':') : [volume.source ?? '', volume.target];
    if (!source.startsWith('.')) continue;
    if (containerPath === target) return posix.normalize(source);
    if (containerPath.startsWith(`${target}/`)) {
      return posix.join(source, containerPath.slice(target.length + 1));
    }
  }
  return undefined;
}

/** The host part of `http://host:port/...`, `host:port` or `nats://host:port`. */
export function hostOf(address: string): string {
  return address.replace(/^\w+:\/\//, '').split(/[:/]/)[0];
}
