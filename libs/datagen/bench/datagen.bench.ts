import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { generate, loadSchema, type OutputFormat } from '../src';

/**
 * `npm run bench:datagen`: the ecomm schema to each output format, each run in a process of its
 * own so its peak RSS is its own. The last line is JSON. DATAGEN_BENCH_ROWS sets the JSONL run's
 * rows (default 10 million); CSV and Parquet run a fifth of that.
 */
const SEED = 7;

async function child(format: OutputFormat, rows: number): Promise<void> {
  const out = mkdtempSync(join(tmpdir(), `datagen-bench-${format}-`));
  try {
    const { summary, quality } = await generate({
      schema: loadSchema('ecomm'),
      seed: SEED,
      rows,
      out,
      formats: [format],
    });
    const bytes = summary.files.reduce((sum, file) => sum + statSync(file).size, 0);
    const rss = peakRssMb();
    process.stdout.write(
      `${JSON.stringify({ format, rows: summary.rows, seconds: summary.seconds, rows_per_s: summary.rows_per_s, peak_rss_mb: Math.round(rss), mb_written: Math.round(bytes / 1e6), quality_score: quality.score })}\n`,
    );
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/**
 * The process's own peak resident memory: VmHWM belongs to this address space, whereas
 * getrusage's maxRSS carries the high-water mark of the processes that forked it (under
 * `npm run`, npm's own ~150 MB).
 */
function peakRssMb(): number {
  const status = existsSync('/proc/self/status') ? readFileSync('/proc/self/status', 'utf8') : '';
  const kb = /^VmHWM:\s+(\d+) kB/m.exec(status)?.[1];
  return kb ? Number(kb) / 1024 : process.resourceUsage().maxRSS / 1024;
}

function main(): void {
  const rows = Number(process.env.DATAGEN_BENCH_ROWS ?? 10_000_000);
  const runs: Array<[OutputFormat, number]> = [
    ['jsonl', rows],
    ['csv', Math.round(rows / 5)],
    ['parquet', Math.round(rows / 5)],
  ];
  const results: Record<string, { rows_per_s: number; peak_rss_mb: number; rows: number }> = {};
  for (const [format, n] of runs) {
    console.error(`[bench:datagen] ${format}: ${n.toLocaleString('en')} rows`);
    // The heap limits `npm run datagen` runs with: generation keeps little alive, and Node 24's
    // default young generation alone would add about 100 MB of resident memory for no speed.
    const flags = ['--max-old-space-size=256', '--max-semi-space-size=16'];
    const output = execFileSync(
      process.execPath,
      [...flags, __filename, '--child', format, String(n)],
      {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    const line = JSON.parse(output.trim().split('\n').pop() as string);
    console.error(`[bench:datagen] ${JSON.stringify(line)}`);
    results[format] = line;
  }
  console.log(
    JSON.stringify({
      schema: 'ecomm',
      seed: SEED,
      rows: results.jsonl.rows,
      rows_per_s: results.jsonl.rows_per_s,
      peak_rss_mb: results.jsonl.peak_rss_mb,
      csv_rows_per_s: results.csv.rows_per_s,
      csv_peak_rss_mb: results.csv.peak_rss_mb,
      parquet_rows_per_s: results.parquet.rows_per_s,
      parquet_peak_rss_mb: results.parquet.peak_rss_mb,
      machine: `${cpus().length} cores, ${Math.round(totalmem() / 2 ** 30)} GiB, ${cpus()[0]?.model ?? 'unknown cpu'}`,
    }),
  );
}

if (process.argv[2] === '--child') {
  child(process.argv[3] as OutputFormat, Number(process.argv[4])).catch((error) => {
    console.error(error);
    process.exit(1);
  });
} else main();
