/**
 * `npm run bench:datasets`: dataset versioning at a million examples, through the service's
 * HTTP API, in a database of its own (refinery_bench_datasets, dropped and made afresh each
 * run) and a nats-server of its own. Progress goes to stderr; the last line on stdout is one
 * JSON object.
 *
 *  1. 1,000,000 classification examples are written straight into the tables (staged on main)
 *     and committed through the API, then tagged v1. Their hashes are SHA-256 of the jsonb text,
 *     not of canonical JSON: the figures depend on sizes, not on the exact bytes hashed.
 *  2. 1,000 examples changed through the API (one POST), then committed: commit_1000_ms, and
 *     the bytes the tables grew by for those changes and that commit: bytes_per_commit.
 *  3. 10 more changes committed; the diff of that commit against its parent: diff_10_ms.
 *  4. Checkout of v1 (materialise the tree and recompute its hash): checkout_ms.
 *  5. An export of v1 in every format: export_rows_per_s, and the service's peak RSS, with its
 *     V8 heap capped at BENCH_HEAP_MB (256): an export that held its rows would run out.
 *
 * BENCH_EXAMPLES sets the size for a quicker look.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import type { Client } from 'pg';
import {
  adminClient,
  benchLog,
  freshServicesDatabase,
  machine,
  median,
  timed,
  startNatsServer,
  startServiceProcess,
  TestTenants,
} from '@refinery/testing';
import { AI_LABELS } from '@refinery/contracts';
import { EXPORT_FORMATS } from '../src/export/export-example';

const DATABASE = 'refinery_bench_datasets';
const EXAMPLES = Number(process.env.BENCH_EXAMPLES ?? 1_000_000);
const CHANGES = 1_000;
const SMALL_CHANGES = 10;
const RUNS = 5;
/** The service's V8 heap cap: exports of any size must fit in it (memory bounded by design). */
const HEAP_MB = Number(process.env.BENCH_HEAP_MB ?? 256);
const TARGETS = { commit_1000_ms: 2_000, diff_10_ms: 100, bytes_per_commit: 2 * 1024 * 1024 };

const log = benchLog;

/** Bytes of every table and index of the schema. */
async function schemaBytes(db: Client): Promise<number> {
  const { rows } = await db.query(
    `SELECT sum(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c
       JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = 'datasets' AND c.relkind = 'r'`,
  );
  return Number(rows[0].bytes);
}

/** The service's peak resident memory so far (VmHWM of its node process), in MB. */
function peakRssMb(): number {
  let peak = 0;
  for (const pid of readdirSync('/proc').filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('services/dataset-versioning/src/main.js')) continue;
      const kb = Number(
        /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0,
      );
      peak = Math.max(peak, Math.round(kb / 1024));
    } catch {
      continue;
    }
  }
  return peak;
}

/** The examples, written into the tables directly and staged on main: the load is not measured. */
async function load(db: Client, datasetName: string): Promise<void> {
  const labels = `ARRAY[${AI_LABELS.map((l) => `'${l}'`).join(',')}]`;
  await db.query(`SET search_path = datasets`);
  await db.query(
    `INSERT INTO example_versions (hash, dataset_id, example_id, example_type, input_data, expected_output,
                                   labels, class, text_key, quality_score)
     SELECT sha256(convert_to(e.input::text || e.output::text || e.id::text, 'UTF8')), d.id, e.id,
            'classification', e.input, e.output, '{"source":"bench","confidence":0.9}', e.output->>'label',
            md5(e.input->>'description'), 80 + g % 20
       FROM datasets d,
            LATERAL generate_series(1, $2::int) g,
            LATERAL (SELECT gen_random_uuid() AS id,
                            jsonb_build_object('order_number', 'ORD-' || g, 'carrier', 'DHL',
                              'description', 'Parcel ' || g || ' has not moved from the depot for ' || (g % 9 + 1)
                                || ' days; the customer asks where it is.') AS input,
                            jsonb_build_object('label', (${labels})[1 + g % ${AI_LABELS.length}]) AS output) e
      WHERE d.name = $1`,
    [datasetName, EXAMPLES],
  );
  await db.query(
    `INSERT INTO branch_entries (branch_id, example_id, version_hash)
     SELECT b.id, v.example_id, v.hash FROM example_versions v JOIN branches b ON b.dataset_id = v.dataset_id AND b.name = 'main'`,
  );
  await db.query(
    `INSERT INTO staged_changes (branch_id, example_id, before_hash, after_hash)
     SELECT branch_id, example_id, NULL, version_hash FROM branch_entries`,
  );
  await db.query(`VACUUM ANALYZE example_versions, branch_entries, staged_changes`);
}

async function main() {
  log(`${EXAMPLES.toLocaleString()} examples; database ${DATABASE}`);
  await freshServicesDatabase(DATABASE);
  const nats = await startNatsServer();
  process.env.DATABASE_NAME = DATABASE;
  const tenants = await TestTenants.open();
  const tenant = await tenants.create({ prefix: 'bench', scopes: ['read', 'review'] });
  const service = await startServiceProcess('dataset-versioning', {
    DATABASE_NAME: DATABASE,
    NATS_URL: nats.url,
    DATASETS_TENANT: tenant.slug,
    NODE_OPTIONS: `--max-old-space-size=${HEAP_MB}`,
  });
  const db = await adminClient(DATABASE);
  const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
    const res = await fetch(`${service.url}${path}`, {
      method,
      headers: { 'x-api-key': tenant.apiKey, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const ds = '/api/datasets/bench';
  try {
    await call('POST', '/api/datasets', { name: 'bench' });
    const [, loadMs] = await timed(() => load(db, 'bench'));
    log(`loaded in ${(loadMs / 1000).toFixed(1)} s`);
    const [, initialMs] = await timed(() =>
      call('POST', `${ds}/commits`, { message: 'Initial import' }),
    );
    await call('POST', `${ds}/tags`, { name: 'v1', ref: 'main' });
    log(`initial commit of ${EXAMPLES.toLocaleString()} additions: ${initialMs} ms`);
    await db.query(`VACUUM ANALYZE example_changes, branch_entries, staged_changes, commits`);

    const sample = await db.query(
      `SELECT v.example_id AS id, v.input_data AS input FROM example_versions v ORDER BY v.example_id LIMIT $1`,
      [CHANGES + RUNS * SMALL_CHANGES],
    );
    const change = (rows: { id: string; input: Record<string, unknown> }[], label: string) => ({
      examples: rows.map((r) => ({
        id: r.id,
        type: 'classification',
        input: r.input,
        output: { label },
        labels: { source: 'correction', confidence: 1, reason: 'bench relabel' },
      })),
    });

    const before = await schemaBytes(db);
    const [, addMs] = await timed(() =>
      call('POST', `${ds}/examples`, change(sample.rows.slice(0, CHANGES), 'OTHER')),
    );
    const staged = await schemaBytes(db);
    const [commit, commitMs] = await timed(() =>
      call<{ modified: number }>('POST', `${ds}/commits`, { message: `${CHANGES} relabelled` }),
    );
    if (commit.modified !== CHANGES)
      throw new Error(`the commit modified ${commit.modified}, not ${CHANGES}`);
    const bytesPerCommit = (await schemaBytes(db)) - before;
    const bytesStaging = staged - before;
    log(
      `${CHANGES} changes: staged in ${addMs} ms (${(bytesStaging / 1024).toFixed(0)} KiB: new versions and their scores), committed in ${commitMs} ms (${((bytesPerCommit - bytesStaging) / 1024).toFixed(0)} KiB of history)`,
    );

    const diffs: number[] = [];
    for (let run = 0; run < RUNS; run++) {
      const from = CHANGES + run * SMALL_CHANGES;
      await call(
        'POST',
        `${ds}/examples`,
        change(sample.rows.slice(from, from + SMALL_CHANGES), 'MISSING_ITEM'),
      );
      const small = await call<{ hash: string; parents: string[] }>('POST', `${ds}/commits`, {
        message: `${SMALL_CHANGES} more`,
      });
      const [diff, ms] = await timed(() =>
        call<{ modified: unknown[] }>(
          'GET',
          `${ds}/diff?from=${small.parents[0]}&to=${small.hash}`,
        ),
      );
      if (diff.modified.length !== SMALL_CHANGES)
        throw new Error(`diff found ${diff.modified.length} changes`);
      diffs.push(ms);
    }
    const [wide, wideMs] = await timed(() =>
      call<{ modified: unknown[] }>('GET', `${ds}/diff?from=v1&to=main`),
    );
    log(
      `diff of ${SMALL_CHANGES}: median ${median(diffs)} ms; v1..main (${wide.modified.length} changes) ${wideMs} ms`,
    );

    const checkouts: number[] = [];
    for (let run = 0; run < 3; run++) {
      const [out, ms] = await timed(() =>
        call<{ verified: boolean }>('POST', `${ds}/checkout`, { ref: 'v1' }),
      );
      if (!out.verified) throw new Error('checkout of v1 did not verify');
      checkouts.push(ms);
    }
    log(`checkout of v1: median ${median(checkouts)} ms`);

    const exportRates: Record<string, number> = {};
    for (const format of EXPORT_FORMATS) {
      const [rows, ms] = await timed(async () => {
        const res = await fetch(`${service.url}${ds}/export?format=${format}&ref=v1`, {
          headers: { 'x-api-key': tenant.apiKey },
        });
        if (res.status !== 200)
          throw new Error(`export ${format}: ${res.status} ${await res.text()}`);
        const reader = res.body!.getReader();
        for (;;) if ((await reader.read()).done) break;
        return Number(res.headers.get('x-refinery-rows'));
      });
      if (rows !== EXAMPLES) throw new Error(`export ${format} wrote ${rows} rows`);
      exportRates[format] = Math.round((rows / ms) * 1000);
      log(
        `export ${format}: ${exportRates[format].toLocaleString()} rows/s; service peak RSS ${peakRssMb()} MB`,
      );
    }

    const result = {
      examples: EXAMPLES,
      initial_commit_ms: initialMs,
      add_1000_ms: addMs,
      commit_1000_ms: commitMs,
      diff_10_ms: median(diffs),
      diff_v1_head_ms: wideMs,
      checkout_ms: median(checkouts),
      export_rows_per_s: exportRates,
      bytes_per_commit: bytesPerCommit,
      bytes_per_commit_parts: {
        versions_and_scores: bytesStaging,
        history: bytesPerCommit - bytesStaging,
      },
      service_peak_rss_mb: peakRssMb(),
      service_heap_cap_mb: HEAP_MB,
      targets: TARGETS,
      met: {
        commit_1000_ms: commitMs < TARGETS.commit_1000_ms,
        diff_10_ms: median(diffs) < TARGETS.diff_10_ms,
        bytes_per_commit: bytesPerCommit < TARGETS.bytes_per_commit,
      },
      machine: machine(),
      run: randomUUID(),
    };
    console.log(JSON.stringify(result));
  } finally {
    await db.end();
    await service.stop();
    await tenants.close();
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
