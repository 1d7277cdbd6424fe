import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DEFAULT_NATS_TENANTS, tenantsOfConfig } from './nats-config';
import { NATS_CONFIG_PATH, natsConfigFiles } from './nats-config-files';

/**
 * `npm run nats-config -- --tenants acme,globex`: the tenants that get NATS users. Without
 * the flag, the tenants of the configuration already there (or `demo`) are kept.
 */
function tenantsFromArgs(args: string[]): string[] {
  const at = args.findIndex((arg) => arg === '--tenants' || arg.startsWith('--tenants='));
  if (at === -1) {
    const current = existsSync(NATS_CONFIG_PATH) ? readFileSync(NATS_CONFIG_PATH, 'utf8') : '';
    return tenantsOfConfig(current) ?? DEFAULT_NATS_TENANTS;
  }
  const value = args[at].includes('=') ? args[at].split('=')[1] : args[at + 1];
  const tenants = (value ?? '')
    .split(',')
    .map((t) => t.trim())
    .filter((t) => t !== '');
  if (tenants.length === 0) throw new Error('--tenants needs a comma-separated list of slugs');
  return tenants;
}

for (const file of natsConfigFiles(tenantsFromArgs(process.argv.slice(2)))) {
  mkdirSync(dirname(file.path), { recursive: true });
  writeFileSync(file.path, file.content);
  console.log(`wrote ${file.path}`);
}
