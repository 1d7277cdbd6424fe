// Creates the database, the vector extension and one role and schema per service in
// deploy/services.json. Run by `npm start`, `npm test` and docker-compose before services start.
import { join } from 'node:path';

import { adminConfigFromEnv } from '../config/database-config';
import { provisionDatabase, ProvisionResult } from '../provision/provision-database';
import { findWorkspaceRoot, readServicesManifest } from './services-manifest';

export async function provisionFromManifest(
  manifestPath: string,
  env: NodeJS.ProcessEnv = process.env,
): Promise<ProvisionResult> {
  const { services } = readServicesManifest(manifestPath);
  return provisionDatabase({
    admin: adminConfigFromEnv(env),
    database: env.DATABASE_NAME || 'refinery',
    schemas: [...new Set(services.map((service) => service.schema))],
    extensions: ['vector'],
    rolePassword: env.DATABASE_PASSWORD || undefined,
  });
}

export function describeProvision(result: ProvisionResult): string[] {
  const state = (created: boolean): string => (created ? 'created' : 'exists');
  return result.schemas.map(
    (s) =>
      `${result.database}.${s.schema}: schema ${state(s.schemaCreated)}, role ${s.role} ${state(s.roleCreated)}`,
  );
}

async function main(): Promise<void> {
  const manifest = join(findWorkspaceRoot(__dirname), 'deploy', 'services.json');
  const result = await provisionFromManifest(manifest);
  if (result.databaseCreated) console.log(`[provision] database ${result.database} created`);
  for (const line of describeProvision(result)) console.log(`[provision] ${line}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`[provision] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
