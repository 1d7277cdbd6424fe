import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

import { parse } from 'yaml';

export const ROOT = join(__dirname, '..', '..', '..');

export function readText(path: string): string {
  return readFileSync(join(ROOT, path), 'utf8');
}

export function exists(path: string): boolean {
  return existsSync(join(ROOT, path));
}

/** Parses YAML as Docker Compose does, with `<<` merge keys. */
export function readYaml<T = unknown>(path: string): T {
  return parse(readText(path), { merge: true }) as T;
}

/** One entry of deploy/services.json. */
export interface ServiceEntry {
  readonly name: string;
  readonly port: number;
  readonly schema: string;
  readonly main: string;
  /** Whether provisioning gives its schema a read-only login, `refinery_<schema>_reader`. */
  readonly reader?: boolean;
}

export function manifest(): ServiceEntry[] {
  const { services } = JSON.parse(readText('deploy/services.json')) as { services: ServiceEntry[] };
  return services;
}

/**
 * A service's compose service name and host name: the last part of its name, since compose
 * names cannot contain `/` ("enrichment/order-analysis" runs as "order-analysis").
 */
export function composeName(service: ServiceEntry): string {
  return service.name.split('/').pop() ?? service.name;
}
