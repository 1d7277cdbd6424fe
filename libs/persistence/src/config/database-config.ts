import { z } from 'zod';

import { rolePasswordVariable, serviceRole } from '../sql/identifiers';

export interface DatabaseConfig {
  host: string;
  port: number;
  database: string;
  user: string;
  password?: string;
}

const port = z.coerce.number().int().min(1).max(65_535);

const ServiceEnv = z.object({
  DATABASE_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PORT: port.default(5432),
  DATABASE_NAME: z.string().min(1).default('refinery'),
  DATABASE_USER: z.string().min(1).optional(),
  DATABASE_PASSWORD: z.string().min(1).optional(),
});

const AdminEnv = z.object({
  DATABASE_HOST: z.string().min(1).default('127.0.0.1'),
  DATABASE_PORT: port.default(5432),
  DATABASE_ADMIN_USER: z.string().min(1).default('postgres'),
  DATABASE_ADMIN_PASSWORD: z.string().min(1).optional(),
});

/**
 * How a service reaches its schema: as its own role, `refinery_<schema>`, unless DATABASE_USER
 * says otherwise; with DATABASE_PASSWORD, or else the role's own variable
 * (`REFINERY_DB_PASSWORD_<ROLE>`, as tools/secrets.mjs writes it).
 */
export function databaseConfigFromEnv(
  schema: string,
  env: NodeJS.ProcessEnv = process.env,
): DatabaseConfig {
  const role = serviceRole(schema);
  const parsed = parseEnv(ServiceEnv, env);
  const user = parsed.DATABASE_USER ?? role;
  return withPassword(
    {
      host: parsed.DATABASE_HOST,
      port: parsed.DATABASE_PORT,
      database: parsed.DATABASE_NAME,
      user,
    },
    parsed.DATABASE_PASSWORD ?? (env[rolePasswordVariable(user)] || undefined),
  );
}

/** The superuser that provisions databases, roles and schemas. `database` is where it connects first. */
export function adminConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DatabaseConfig {
  const parsed = parseEnv(AdminEnv, env);
  return withPassword(
    {
      host: parsed.DATABASE_HOST,
      port: parsed.DATABASE_PORT,
      database: 'postgres',
      user: parsed.DATABASE_ADMIN_USER,
    },
    parsed.DATABASE_ADMIN_PASSWORD,
  );
}

function withPassword(config: DatabaseConfig, password: string | undefined): DatabaseConfig {
  return password === undefined ? config : { ...config, password };
}

function parseEnv<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv): z.infer<S> {
  // An empty variable (`DATABASE_PASSWORD=` in a compose file) means unset.
  const result = schema.safeParse(
    Object.fromEntries(Object.entries(env).filter(([, value]) => value !== '')),
  );
  if (result.success) return result.data;
  const problems = result.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
  throw new Error(`invalid database configuration: ${problems.join('; ')}`);
}
