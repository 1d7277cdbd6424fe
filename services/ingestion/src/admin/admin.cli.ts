// `npm run admin -- <command>`: tenants, API keys and dead letters from the command line, as
// the operator. Tenant and key commands print one JSON line; dlq commands print tables, or one
// JSON line with --json. Errors go to stderr with a non-zero exit (2 for a usage error).
import { userInfo } from 'node:os';
import { Logger } from '@nestjs/common';
import { connectNats, drainConnection } from '@refinery/messaging';
import { runMigrations } from '@refinery/persistence';
import { loadConfig, natsCredentialsOf, ProblemException } from '@refinery/runtime';
import { IngestionConfigSchema } from '../config';
import { createServiceDataSource } from '../data-source';
import { ManageDeadLettersUseCase } from '../dlq/manage-dead-letters.use-case';
import { DLQ_USAGE, DlqUsageError, runDlqCommand } from './dlq.command';
import { ManageTenantsUseCase } from './manage-tenants.use-case';

const USAGE = `usage: npm run admin -- <command>
  tenants create <slug> [--name <name>] [--rate-limit <events/s>]
  keys create <slug> --scopes ingest,read,review,admin [--label <label>]
  keys list <slug>
  keys revoke <key id>
${DLQ_USAGE}`;

class UsageError extends Error {}

function options(args: string[]): { positional: string[]; flags: Map<string, string> } {
  const positional: string[] = [];
  const flags = new Map<string, string>();
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) {
      positional.push(args[i]);
      continue;
    }
    const value = args[i + 1];
    if (value === undefined || value.startsWith('--'))
      throw new UsageError(`${args[i]} needs a value`);
    flags.set(args[i].slice(2), value);
    i++;
  }
  return { positional, flags };
}

export async function runAdminCommand(
  args: string[],
  tenants: ManageTenantsUseCase,
): Promise<unknown> {
  const { positional, flags } = options(args);
  const [noun, verb, target] = positional;
  if (!target || positional.length > 3) throw new UsageError(USAGE);
  const command = `${noun} ${verb}`;
  if (command === 'tenants create') {
    const rate = flags.get('rate-limit');
    return tenants.createTenant({
      slug: target,
      ...(flags.has('name') ? { name: flags.get('name') } : {}),
      ...(rate !== undefined ? { rate_limit_per_s: Number(rate) } : {}),
    });
  }
  if (command === 'keys create') {
    const scopes = flags.get('scopes');
    if (!scopes) throw new UsageError('keys create needs --scopes, e.g. --scopes read,review');
    return tenants.createKey(target, {
      scopes: scopes.split(',').map((s) => s.trim()),
      ...(flags.has('label') ? { label: flags.get('label') } : {}),
    });
  }
  if (command === 'keys list') return tenants.listKeys(target);
  if (command === 'keys revoke') return tenants.revokeKey(target);
  throw new UsageError(USAGE);
}

/** Who replays from the command line, as dlq_replays records it: the account that ran it. */
function cliUser(): string {
  try {
    return `cli:${userInfo().username}`;
  } catch {
    return 'cli';
  }
}

async function main(): Promise<void> {
  // stdout carries the one JSON line; the migrator's commentary would get in its way.
  Logger.overrideLogger(false);
  const config = loadConfig(IngestionConfigSchema);
  const db = await createServiceDataSource().initialize();
  try {
    // Tenants get their subscriber's durable on NATS, as ingestion's own user makes it.
    const nc = await connectNats({
      servers: config.NATS_URL,
      name: 'ingestion-admin',
      credentials: natsCredentialsOf(config),
    });
    try {
      // The auth tables are ingestion's: make sure they exist before the first tenant.
      await runMigrations(db);
      const args = process.argv.slice(2);
      if (args[0] === 'dlq') {
        const deadLetters = new ManageDeadLettersUseCase(db, nc);
        process.stdout.write(`${await runDlqCommand(args.slice(1), deadLetters, cliUser())}\n`);
        return;
      }
      const tenants = new ManageTenantsUseCase(db, nc);
      const result = await runAdminCommand(args, tenants);
      process.stdout.write(`${JSON.stringify(result)}\n`);
    } finally {
      await drainConnection(nc);
    }
  } finally {
    await db.destroy();
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    const message =
      error instanceof ProblemException
        ? (error.problem.detail ?? error.problem.title)
        : error instanceof Error
          ? error.message
          : String(error);
    process.stderr.write(`${message}\n`);
    process.exitCode = error instanceof UsageError || error instanceof DlqUsageError ? 2 : 1;
  });
}
