// Every secret Refinery needs, generated once into a KEY=VALUE env file (mode 0600): one
// Postgres password per role, the operator and demo API keys, one NATS password per user.
//
//   node tools/secrets.mjs write [file]   create or complete the file (default .refinery/secrets.env)
//   node tools/secrets.mjs get <VAR>      print one value (the environment's, else the file's)
//   node tools/secrets.mjs names          list the variables, one a line
//
// A value already in the file is never replaced; an empty one counts as missing.
import { randomInt } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const LOCAL_SECRETS = join(root, '.refinery', 'secrets.env');
const NATS_CONFIG = join(root, 'deploy', 'nats', 'nats-server.conf');
const READONLY_ROLE = 'refinery_readonly';

/** `REFINERY_DB_PASSWORD_ORDER_ANALYSIS` for role `refinery_order_analysis` (as libs/persistence names it). */
export const rolePasswordVariable = (role) =>
  `REFINERY_DB_PASSWORD_${role.replace(/^refinery_/, '').toUpperCase()}`;

/** Each variable, what it is for, and how its value starts. */
export function secretSpecs() {
  const manifest = JSON.parse(readFileSync(join(root, 'deploy', 'services.json'), 'utf8'));
  const schemas = [...new Set(manifest.services.map((service) => service.schema))];
  // A service with `reader` also has a read-only login of its schema's (a dashboard's datasource).
  const readers = [...new Set(manifest.services.filter((s) => s.reader).map((s) => s.schema))];
  const roles = [
    ...schemas.map((schema) => `refinery_${schema}`),
    ...readers.map((schema) => `refinery_${schema}_reader`),
    READONLY_ROLE,
  ];
  return [
    ...roles.map((role) => ({ name: rolePasswordVariable(role), about: `Postgres role ${role}` })),
    { name: 'REFINERY_DB_ADMIN_PASSWORD', about: 'Postgres superuser (docker compose only)' },
    { name: 'REFINERY_ADMIN_API_KEY', about: 'operator API key', prefix: 'rk_operator_' },
    { name: 'REFINERY_DEMO_API_KEY', about: 'API key of tenant demo', prefix: 'rk_demo_' },
    ...natsUsers(manifest.services),
    { name: 'GRAFANA_ADMIN_PASSWORD', about: 'Grafana user admin (docker compose only)' },
  ];
}

/**
 * The users of the generated NATS configuration (one per service and two per tenant) and the
 * variables it reads their passwords from; without the file, one per service.
 */
function natsUsers(services) {
  const variable = (user) => `REFINERY_NATS_${user.toUpperCase().replace(/\W/g, '_')}_PASSWORD`;
  const users = existsSync(NATS_CONFIG)
    ? [...readFileSync(NATS_CONFIG, 'utf8').matchAll(USER_AND_PASSWORD)].map((m) => [m[1], m[2]])
    : services.map((service) => [service.name, variable(service.name)]);
  return users.map(([user, name]) => ({ name, about: `NATS user ${user}` }));
}

const USER_AND_PASSWORD = /^\s*user:\s*"([^"]+)"\s*\n\s*password:\s*\$([A-Z0-9_]+)\s*$/gm;

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const ALPHABET = `${LETTERS}0123456789`;

/**
 * 32 letters and digits (about 190 bits), starting with a letter: nats-server reads a
 * password as a configuration token, and one starting with a digit can turn into a number.
 */
export function generateSecret(prefix = '') {
  let value = LETTERS[randomInt(LETTERS.length)];
  while (value.length < 32) value += ALPHABET[randomInt(ALPHABET.length)];
  return `${prefix}${value}`;
}

/** KEY=VALUE lines; blank lines and # comments are skipped, surrounding quotes removed. */
export function parseEnvFile(text) {
  const values = {};
  for (const line of text.split(/\r?\n/)) {
    const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*?)\s*$/.exec(line);
    if (!match) continue;
    values[match[1]] = match[2].replace(/^(['"])(.*)\1$/, '$2');
  }
  return values;
}

export const readEnvFile = (file) =>
  existsSync(file) ? parseEnvFile(readFileSync(file, 'utf8')) : {};

/** Keys kept in their own files before secrets.env existed; adopted so they keep working. */
function legacyValue(name) {
  const file = { REFINERY_DEMO_API_KEY: 'demo-api-key', REFINERY_ADMIN_API_KEY: 'admin-api-key' }[
    name
  ];
  const path = file && join(root, '.refinery', file);
  return path && existsSync(path) ? readFileSync(path, 'utf8').trim() : '';
}

/**
 * Creates `file`, or adds what it lacks, and returns every value in it. The file and a
 * directory it creates are readable by their owner only.
 */
export function ensureSecretsFile(file = LOCAL_SECRETS) {
  const local = resolve(file) === LOCAL_SECRETS;
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const values = parseEnvFile(text);
  const missing = secretSpecs().filter((spec) => !values[spec.name]);
  for (const spec of missing)
    values[spec.name] = (local && legacyValue(spec.name)) || generateSecret(spec.prefix);
  if (!existsSync(dirname(file))) mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // .refinery also holds downloaded tools, which may have made it with a wider mode.
  if (local) chmodSync(dirname(file), 0o700);
  if (missing.length > 0) {
    // A variable present but empty gets its value where it stands; the others are appended.
    const lines = text === '' ? [...HEADER] : text.replace(/\n$/, '').split(/\r?\n/);
    const filled = new Set();
    const kept = lines.map((line) => {
      const name = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=/.exec(line)?.[1];
      const spec = missing.find((s) => s.name === name);
      if (!spec || filled.has(name)) return line;
      filled.add(name);
      return `${name}=${values[name]}`;
    });
    const added = missing
      .filter((spec) => !filled.has(spec.name))
      .flatMap((spec) => [`# ${spec.about}`, `${spec.name}=${values[spec.name]}`]);
    // Written next to the file and renamed over it, so a reader never sees half of it.
    const next = `${file}.${process.pid}.tmp`;
    writeFileSync(next, `${[...kept, ...added].join('\n')}\n`, { mode: 0o600 });
    renameSync(next, file);
  }
  chmodSync(file, 0o600);
  if (values.REFINERY_ADMIN_API_KEY.length < 32)
    console.error(`[secrets] REFINERY_ADMIN_API_KEY in ${file} is shorter than 32 characters`);
  return { values, added: missing.length };
}

const HEADER = [
  '# Refinery secrets, made by tools/secrets.mjs. Readable by its owner only (mode 0600).',
  '# Missing values are added and none is ever replaced: a value changed here is kept.',
];

/** The local secrets, for a process started outside `npm start`; the environment wins. */
export function loadLocalSecrets(env = process.env) {
  for (const [name, value] of Object.entries(readEnvFile(LOCAL_SECRETS))) env[name] ||= value;
  return env;
}

function main([command = 'write', arg]) {
  if (command === 'write') {
    const { added } = ensureSecretsFile(resolve(arg ?? LOCAL_SECRETS));
    const file = arg ?? relative(process.cwd(), LOCAL_SECRETS);
    console.error(`[secrets] ${file}: ${added ? `${added} value(s) added` : 'complete'}`);
  } else if (command === 'get' && arg) {
    const value = process.env[arg] || ensureSecretsFile().values[arg];
    if (!value)
      throw new Error(`${arg} is not one of the secrets (see: node tools/secrets.mjs names)`);
    console.log(value);
  } else if (command === 'names') {
    for (const spec of secretSpecs()) console.log(spec.name);
  } else {
    throw new Error('usage: node tools/secrets.mjs write [file] | get <VAR> | names');
  }
}

if (resolve(process.argv[1] ?? '') === fileURLToPath(import.meta.url)) {
  try {
    main(process.argv.slice(2));
  } catch (error) {
    console.error(`[secrets] ${error.message}`);
    process.exitCode = 1;
  }
}
