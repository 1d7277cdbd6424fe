import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { freePort } from '@refinery/testing';
import { stringify } from 'yaml';

import { composeName, readYaml, ROOT, type ServiceEntry } from './repo';

/** Debian's Prometheus, unpacked by deploy/local/ensure-prometheus.sh. */
export const PROMETHEUS_BIN = join(ROOT, '.refinery/tools/usr/bin/prometheus');
export const ALERT_RULES = 'deploy/prometheus/alerts.yml';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  honor_labels?: boolean;
}

export interface Series {
  metric: Record<string, string>;
  value: [number, string];
}

/** A query that should return at least one series, and what to call it when it does not. */
export interface LiveCheck {
  what: string;
  expr: string;
  /** One series selector of `what`'s query, rather than the whole query. */
  selector?: boolean;
}

export interface DeadCheck {
  check: LiveCheck;
  /** Why Prometheus refused the query, when it did. */
  error?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The repo's `refinery` job pointed at the services on 127.0.0.1, scraped every second, with
 * the repo's alert rules evaluated every second. The repo takes `service` from the compose host
 * name by relabelling; here every host is 127.0.0.1, so each target gets it as a static label.
 */
function configFor(services: readonly ServiceEntry[], self: string): string {
  const repo = readYaml<{ scrape_configs: ScrapeConfig[] }>('deploy/prometheus/prometheus.yml');
  const refinery = repo.scrape_configs.find((job) => job.job_name === 'refinery');
  if (!refinery) throw new Error('deploy/prometheus/prometheus.yml has no refinery job');
  return stringify({
    global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
    rule_files: [join(ROOT, ALERT_RULES)],
    scrape_configs: [
      {
        job_name: refinery.job_name,
        metrics_path: refinery.metrics_path ?? '/metrics',
        honor_labels: refinery.honor_labels ?? false,
        static_configs: services.map((service) => ({
          targets: [`127.0.0.1:${service.port}`],
          labels: { service: composeName(service) },
        })),
      },
      // As in the repo's config, Prometheus watches itself: `up{job!="refinery"}` has a series.
      { job_name: 'prometheus', static_configs: [{ targets: [self] }] },
    ],
  });
}

/**
 * A throwaway Prometheus scraping the services a test runs, so dashboards and alert rules are
 * checked against what the running code exports rather than against a list of names.
 */
export class LivePrometheus {
  private constructor(
    private readonly child: ChildProcess,
    private readonly dir: string,
    readonly url: string,
  ) {}

  static async start(services: readonly ServiceEntry[]): Promise<LivePrometheus> {
    if (!existsSync(PROMETHEUS_BIN)) {
      throw new Error(`${PROMETHEUS_BIN} is missing: run bash deploy/local/ensure-prometheus.sh`);
    }
    const dir = mkdtempSync(join(tmpdir(), 'refinery-prometheus-'));
    const address = `127.0.0.1:${await freePort()}`;
    writeFileSync(join(dir, 'prometheus.yml'), configFor(services, address));
    const child = spawn(
      PROMETHEUS_BIN,
      [
        `--config.file=${join(dir, 'prometheus.yml')}`,
        `--storage.tsdb.path=${join(dir, 'data')}`,
        `--web.listen-address=${address}`,
        '--log.level=warn',
      ],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const prometheus = new LivePrometheus(child, dir, `http://${address}`);
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && child.exitCode === null) {
      const ready = await fetch(`${prometheus.url}/-/ready`).catch(() => undefined);
      if (ready?.ok) return prometheus;
      await sleep(200);
    }
    await prometheus.stop();
    throw new Error(`Prometheus did not become ready:\n${output}`);
  }

  /** An instant query's series; a query Prometheus refuses throws with its error. */
  async query(expr: string): Promise<Series[]> {
    const res = await fetch(`${this.url}/api/v1/query?query=${encodeURIComponent(expr)}`);
    const body = (await res.json()) as {
      status: string;
      error?: string;
      data?: { resultType: string; result: Series[] | [number, string] };
    };
    if (body.status !== 'success') throw new Error(body.error ?? `HTTP ${res.status}`);
    const result = body.data?.result ?? [];
    // A scalar (e.g. `time()`) is one value, not a list of series.
    return body.data?.resultType === 'scalar'
      ? [{ metric: {}, value: result as never }]
      : (result as Series[]);
  }

  /** Polls until `expr` returns a series, up to `timeoutMs`; what it returned last. */
  async waitForSeries(expr: string, timeoutMs: number): Promise<Series[]> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const series = await this.query(expr);
      if (series.length > 0 || Date.now() > deadline) return series;
      await sleep(500);
    }
  }

  /** Polls until every check returns a series, up to `timeoutMs`; the ones that never did. */
  async deadAfter(checks: readonly LiveCheck[], timeoutMs: number): Promise<DeadCheck[]> {
    const deadline = Date.now() + timeoutMs;
    let dead: DeadCheck[] = checks.map((check) => ({ check }));
    for (;;) {
      const results = await Promise.all(
        dead.map(({ check }) =>
          this.query(check.expr).then(
            (series): DeadCheck | undefined => (series.length > 0 ? undefined : { check }),
            (error: Error): DeadCheck => ({ check, error: error.message }),
          ),
        ),
      );
      dead = results.filter((result) => result !== undefined);
      if (dead.length === 0 || Date.now() > deadline) return dead;
      await sleep(1_000);
    }
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      const force = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(force);
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
