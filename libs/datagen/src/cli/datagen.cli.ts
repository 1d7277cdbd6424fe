import { parseArgs } from 'node:util';
import { publisherFor } from '../publish';
import { builtInSchemas, loadSchema, SchemaError } from '../schema';
import { generate } from '../run';
import { FILE_EXTENSIONS, type OutputFormat } from '../output';
import { progressBar } from './progress';

const USAGE = `Usage: npm run datagen -- --schema <name|file> --seed <n> [options]

  --schema <name|file>   a built-in schema (${builtInSchemas().join(', ')}) or a JSON/TS file
  --seed <n>             same schema + seed = the same bytes, on any machine (default 1)
  --rows <n>             rows in all, every table counted (default: the schema's)
  --out <dir>            write one file per table, truth.json and quality-report.json
  --format <list>        jsonl, csv, parquet, comma-separated (default jsonl)
  --publish <target>     http(s)://ingestion-host:port, or nats://host:port (records only:
                         track and identify calls go in over HTTP, and are skipped there)
  --api-key <key>        the ingest key for HTTP (or REFINERY_API_KEY)
  --tenant <slug>        the tenant for NATS subjects (default demo)
  --rate <n>             events per second when publishing (default: as fast as accepted)
`;

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      schema: { type: 'string' },
      seed: { type: 'string', default: '1' },
      rows: { type: 'string' },
      out: { type: 'string' },
      format: { type: 'string', default: 'jsonl' },
      publish: { type: 'string' },
      'api-key': { type: 'string' },
      tenant: { type: 'string', default: 'demo' },
      rate: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    return 0;
  }
  if (!values.schema) return usage('--schema is required');
  const seed = Number(values.seed);
  if (!Number.isSafeInteger(seed)) return usage(`--seed must be an integer, not ${values.seed}`);
  const rows = values.rows === undefined ? undefined : Number(values.rows);
  if (rows !== undefined && !(Number.isSafeInteger(rows) && rows > 0)) {
    return usage(`--rows must be a positive integer, not ${values.rows}`);
  }
  const formats = values.format.split(',').map((f) => f.trim()) as OutputFormat[];
  const unknown = formats.filter((f) => !(f in FILE_EXTENSIONS));
  if (unknown.length > 0)
    return usage(`--format: unknown ${unknown.join(', ')} (jsonl, csv, parquet)`);
  const rate = values.rate === undefined ? undefined : Number(values.rate);
  if (rate !== undefined && !(rate > 0))
    return usage(`--rate must be a positive number, not ${values.rate}`);
  if (!values.out && !values.publish)
    return usage('say where the rows go: --out <dir>, --publish <target> or both');

  const schema = loadSchema(values.schema);
  const publisher = values.publish
    ? publisherFor(values.publish, {
        apiKey: values['api-key'] ?? process.env.REFINERY_API_KEY,
        tenant: values.tenant,
        rate,
      })
    : undefined;
  const bar = progressBar(process.stderr, publisher);
  const { summary, quality } = await generate({
    schema,
    seed,
    rows,
    out: values.out,
    formats,
    publisher,
    progress: bar.update,
  });
  bar.done();
  const status = quality.violations === 0 ? 'passed' : 'FOUND PROBLEMS';
  process.stderr.write(
    `[datagen] validator ${status}: score ${quality.score.toFixed(2)}, ${quality.checks.toLocaleString('en')} checks, ` +
      `${quality.violations.toLocaleString('en')} violations${values.out ? ` (${values.out}/quality-report.json)` : ''}\n`,
  );
  process.stdout.write(`${JSON.stringify(summary)}\n`);
  return quality.violations === 0 ? 0 : 1;
}

function usage(problem: string): number {
  process.stderr.write(`datagen: ${problem}\n\n${USAGE}`);
  return 2;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    const message =
      error instanceof SchemaError
        ? `the schema has problems:\n${error.message}`
        : String((error as Error)?.message ?? error);
    process.stderr.write(`datagen: ${message}\n`);
    process.exitCode = error instanceof SchemaError ? 2 : 1;
  },
);
