import { natsUsers, type NatsPermissions, type NatsUser } from './nats-permissions';

/** The tenants the committed configuration is generated for. */
export const DEFAULT_NATS_TENANTS = ['demo'];

const GENERATED_FOR = /^# Generated .* --tenants ([\w,-]+)`/m;

/** The tenants a generated configuration has users for, read from its first line. */
export function tenantsOfConfig(config: string): string[] | undefined {
  return GENERATED_FOR.exec(config)?.[1].split(',');
}

const quote = (value: string) => JSON.stringify(value);

function list(values: readonly string[], indent: string): string {
  return `[\n${values.map((v) => `${indent}  ${quote(v)}`).join('\n')}\n${indent}]`;
}

function permissionsBlock(permissions: NatsPermissions, indent: string): string {
  const inner = `${indent}  `;
  return [
    `${indent}permissions: {`,
    `${inner}publish: { allow: ${list(permissions.publish, inner)} }`,
    `${inner}subscribe: { allow: ${list(permissions.subscribe, inner)} }`,
    `${indent}}`,
  ].join('\n');
}

function userBlock(user: NatsUser, indent: string): string {
  const inner = `${indent}  `;
  // Unquoted: nats-server resolves `$NAME` from the environment and fails to start without it.
  const lines = [
    `${indent}# ${user.description}`,
    `${indent}{`,
    `${inner}user: ${quote(user.name)}`,
    `${inner}password: $${user.passwordVariable}`,
  ];
  if (user.permissions) lines.push(permissionsBlock(user.permissions, inner));
  lines.push(`${indent}}`);
  return lines.join('\n');
}

function accountBlock(name: string, users: NatsUser[], jetstream: boolean): string {
  return [
    `  ${name}: {`,
    ...(jetstream ? ['    jetstream: enabled'] : []),
    '    users: [',
    users.map((user) => userBlock(user, '      ')).join('\n'),
    '    ]',
    '  }',
  ].join('\n');
}

/**
 * The nats-server configuration: one account for the platform (streams are per account) with
 * a user per service and two per tenant, and the system account. Passwords are never in it.
 */
export function buildNatsConfig(tenants: readonly string[] = DEFAULT_NATS_TENANTS): string {
  const users = natsUsers(tenants);
  const platform = users.filter((u) => u.account === 'REFINERY');
  const system = users.filter((u) => u.account === 'SYS');
  return [
    `# Generated from the event map in libs/contracts by \`npm run nats-config -- --tenants ${tenants.join(',')}\`.`,
    '# Do not edit: change libs/contracts and run it again (see deploy/nats/README.md).',
    '# Every password comes from the environment variable named after `password:`.',
    '# JetStream keeps its files where the command line says: nats-server -c <this file> -js -sd <dir>',
    '',
    'jetstream: enabled',
    'system_account: SYS',
    '',
    'accounts: {',
    accountBlock('REFINERY', platform, true),
    accountBlock('SYS', system, false),
    '}',
    '',
  ].join('\n');
}
