// Creates the database, the vector extension and one role and schema per service in
// deploy/services.json. Run by `npm start`, `npm test` and docker-compose before services start.
import { join } from 'node:path';

import { adminConfigFromEnv } from '../config/database-config';
import { provisionDatabase, ProvisionResult } from '../provision/provision-database';
import { READONLY_ROLE, readerRole, rolePasswordVariable, serviceRole } from '../sql/identifiers';
import { findWorkspaceRoot, readServicesManifest } from './services-manifest';

export async function provisionFromManifest(
  manifestPath: string,
  env: NodeJS.ProcessEnv = process.env,
  /** Leave every role's password as it is, whatever the environment holds. */
  options: { keepRolePasswords?: boolean } = {},
): Promise<ProvisionResult> {
  const { services, sharedSchema } = readServicesManifest(manifestPath);
  const owner = services.find((service) => service.name === sharedSchema?.owner);
  if (sharedSchema && !owner) {
    throw new Error(
      `sharedSchema.owner "${sharedSchema.owner}" is not a service of ${manifestPath}`,
    );
  }
  const schemas = [...new Set(services.map((service) => service.schema))];
  const readers = [...new Set(services.filter((s) => s.reader).map((s) => s.schema))];
  return provisionDatabase({
    admin: adminConfigFromEnv(env),
    database: env.DATABASE_NAME || 'refinery',
    schemas,
    extensions: ['vector'],
    rolePasswords: options.keepRolePasswords
      ? {}
      : rolePasswordsFromEnv(
          [...schemas.map(serviceRole), ...readers.map(readerRole), READONLY_ROLE],
          env,
        ),
    shared: sharedSchema && owner && { schema: sharedSchema.schema, ownerSchema: owner.schema },
    // An operator widens or narrows what validation rules can see with READONLY_SCHEMAS.
    readableSchemas: env.READONLY_SCHEMAS
      ? env.READONLY_SCHEMAS.split(',')
          .map((s) => s.trim())
          .filter(Boolean)
      : services.filter((service) => service.readableByRules).map((service) => service.schema),
    readers,
  });
}

/** Each role's password from its own variable (`REFINERY_DB_PASSWORD_<ROLE>`), where set. */
export function rolePasswordsFromEnv(
  roles: string[],
  env: NodeJS.ProcessEnv,
): Record<string, string> {
  return Object.fromEntries(
    roles.flatMap((role) => {
      const password = env[rolePasswordVariable(role)];
      return password ? [[role, password]] : [];
    }),
  );
}

export function describeProvision(result: ProvisionResult): string[] {
  const state = (created: boolean): string => (created ? 'created' : 'exists');
  return [
    ...result.schemas.map(
      (s) =>
        `${result.database}.${s.schema}: schema ${state(s.schemaCreated)}, role ${s.role} ${state(s.roleCreated)}`,
    ),
    ...result.readers.map(
      (r) => `${result.database}.${r.schema}: reader role ${r.role} ${state(r.roleCreated)}`,
    ),
  ];
}

async function main(): Promise<void> {
  if (process.env.DATABASE_PASSWORD)
    console.warn(
      '[provision] DATABASE_PASSWORD is not used: each role takes its own REFINERY_DB_PASSWORD_<ROLE>',
    );
  const manifest = join(findWorkspaceRoot(__dirname), 'deploy', 'services.json');
  // npm test: roles belong to the whole server, and a platform running from another clone logs
  // in with the passwords its own provisioning set.
  const keep = process.argv.includes('--keep-role-passwords');
  const result = await provisionFromManifest(manifest, process.env, { keepRolePasswords: keep });
  if (result.databaseCreated) console.log(`[provision] database ${result.database} created`);
  for (const line of describeProvision(result)) console.log(`[provision] ${line}`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(`[provision] failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exitCode = 1;
  });
}
