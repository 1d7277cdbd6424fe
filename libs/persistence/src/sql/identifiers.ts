const IDENTIFIER = /^[a-z][a-z0-9_]*$/;
// Postgres silently truncates longer names, which would make two names collide.
const MAX_IDENTIFIER_BYTES = 63;

/** Throws unless `name` is a plain lower-case SQL identifier; `what` names it in the error. */
export function assertIdentifier(name: string, what: string): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(
      `${what} "${name}" is not a valid name: use lower-case letters, digits and _, starting with a letter`,
    );
  }
  if (name.length > MAX_IDENTIFIER_BYTES) {
    throw new Error(`${what} "${name}" is longer than ${MAX_IDENTIFIER_BYTES} characters`);
  }
  return name;
}

/** The login role a service uses: it owns the service's schema and nothing else. */
export function serviceRole(schema: string): string {
  return assertIdentifier(`refinery_${assertIdentifier(schema, 'schema')}`, 'role');
}

/**
 * The login role that reads one service's schema and nothing else, for a service that asks
 * for one in deploy/services.json (`reader`): a dashboard's datasource, say.
 */
export function readerRole(schema: string): string {
  return assertIdentifier(`${serviceRole(schema)}_reader`, 'role');
}

/** The login role that may read every service schema and write nothing. */
export const READONLY_ROLE = 'refinery_readonly';

/**
 * The variable holding a role's password: `REFINERY_DB_PASSWORD_ORDER_ANALYSIS` for
 * `refinery_order_analysis`, `REFINERY_DB_PASSWORD_READONLY` for the read-only role,
 * `REFINERY_DB_PASSWORD_ANALYTICS_READER` for `refinery_analytics_reader`.
 * tools/secrets.mjs generates one per role under these names.
 */
export function rolePasswordVariable(role: string): string {
  return `REFINERY_DB_PASSWORD_${role.replace(/^refinery_/, '').toUpperCase()}`;
}
