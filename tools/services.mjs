// The services manifest (deploy/services.json), shared by the launcher and the migrator.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const services = JSON.parse(
  readFileSync(join(root, 'deploy/services.json'), 'utf8'),
).services;
