import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { stringify } from 'yaml';

import { mountedFrom } from './support/compose';
import { readText, readYaml, ROOT } from './support/repo';

// The rules, their promtool unit tests and the Alertmanager config, checked by the tools that
// load them. The binaries are Debian's (promtool 2.42, amtool 0.25), unpacked by
// deploy/local/ensure-prometheus.sh; compose runs newer ones (see alertmanagerReadable).

const TOOLS = join(ROOT, '.refinery', 'tools', 'usr', 'bin');
const RULES = 'deploy/prometheus/alerts.yml';
const TESTS = 'deploy/prometheus/tests';
const ALERTMANAGER = 'deploy/alertmanager/alertmanager.yml';

interface Rule {
  alert?: string;
  labels?: Record<string, string>;
}
const groups = readYaml<{ groups: { name: string; rules: Rule[] }[] }>(RULES).groups;
const alerts = groups.flatMap((group) => group.rules).filter((rule) => rule.alert);

function tool(name: string): string {
  const path = join(TOOLS, name);
  if (!existsSync(path)) {
    throw new Error(
      `${path} is missing: run bash deploy/local/ensure-prometheus.sh (npm test runs it through deploy/local/prepare.sh)`,
    );
  }
  return path;
}

/** Runs a tool from the repo root; its stdout, or an error with all it printed. */
function run(name: string, args: string[]): string {
  const result = spawnSync(tool(name), args, { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  if (result.status !== 0) {
    const output = `${result.stdout ?? ''}${result.stderr ?? ''}${result.error ?? ''}`;
    throw new Error(`${name} ${args.join(' ')} exited ${result.status}:\n${output}`);
  }
  return result.stdout;
}

const scratch = mkdtempSync(join(tmpdir(), 'refinery-promtool-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

let readable: string | undefined;

/**
 * alertmanager.yml as Debian's Alertmanager 0.25 can read it: webhook `url_file` came in
 * 0.26 (compose runs 0.27), so each becomes a `url` that cannot resolve. Everything else is
 * the file as committed.
 */
function alertmanagerReadable(): string {
  if (readable) return readable;
  const [, major, minor] = /version (\d+)\.(\d+)/.exec(run('amtool', ['--version'])) ?? [];
  if (Number(major) > 0 || Number(minor) >= 26) return (readable = join(ROOT, ALERTMANAGER));
  readable = join(scratch, 'alertmanager.yml');
  writeFileSync(
    readable,
    readText(ALERTMANAGER).replace(
      /^(\s*(?:-\s+)?)url_file:\s*(\S+)\s*$/gm,
      '$1url: http://url-file.invalid$2',
    ),
  );
  return readable;
}

describe('promtool', () => {
  it(`accepts ${RULES}`, () => {
    expect(run('promtool', ['check', 'rules', RULES])).toMatch(/SUCCESS: \d+ rules found/);
  });

  it(`passes the unit tests in ${TESTS}`, () => {
    const files = testFiles();
    expect(files).not.toHaveLength(0);
    run('promtool', ['test', 'rules', ...files.map((file) => `${TESTS}/${file}`)]);
  });

  // rule_files name container paths (/etc/prometheus/...): check a copy that names the repo
  // files mounted there, so the rules Prometheus would load are the ones checked.
  it('accepts deploy/prometheus/prometheus.yml with the rule files compose mounts', () => {
    const config = readYaml<{ rule_files?: string[] }>('deploy/prometheus/prometheus.yml');
    const ruleFiles = (config.rule_files ?? []).map((path) => {
      const source = mountedFrom('prometheus', path);
      if (!source) throw new Error(`${path} is not mounted into the prometheus container`);
      return join(ROOT, source);
    });
    const path = join(scratch, 'prometheus.yml');
    writeFileSync(path, stringify({ ...config, rule_files: ruleFiles }));
    expect(run('promtool', ['check', 'config', path])).toMatch(/SUCCESS: \d+ rules found/);
  });
});

type Eval = { eval_time: string; alertname: string; exp_alerts?: unknown[] };
type Suite = { rule_files: string[]; tests: { alert_rule_test?: Eval[] }[] };
const testFiles = () => readdirSync(join(ROOT, TESTS)).filter((file) => file.endsWith('.yml'));

/** Alerts the unit tests see firing, and those they also see resolve later in a test. */
function exercised() {
  const fired = new Set<string>();
  const resolved = new Set<string>();
  const minutes = (e: Eval) => Number(/^(\d+)m$/.exec(e.eval_time)?.[1] ?? NaN);
  for (const file of testFiles()) {
    for (const test of readYaml<Suite>(`${TESTS}/${file}`).tests) {
      const evals = [...(test.alert_rule_test ?? [])].sort((a, b) => minutes(a) - minutes(b));
      evals.forEach((e, i) => {
        if (!e.exp_alerts?.length) return;
        fired.add(e.alertname);
        const later = evals.slice(i + 1).filter((x) => x.alertname === e.alertname);
        if (later.some((x) => !x.exp_alerts?.length)) resolved.add(e.alertname);
      });
    }
  }
  return { fired, resolved };
}

describe('promtool unit tests', () => {
  it('load the rules as committed, not a copy', () => {
    const loaded = testFiles().map((file) => readYaml<Suite>(`${TESTS}/${file}`).rule_files);
    expect(new Set(loaded.flat())).toEqual(new Set(['../alerts.yml']));
  });

  const { fired, resolved } = exercised();
  const covered = [
    ...groups.filter((g) => g.name === 'refinery-quality').flatMap((g) => g.rules),
    ...alerts.filter((rule) => rule.alert === 'RefineryDeadLetterQueueNotEmpty'),
  ].map((rule) => rule.alert as string);

  it.each(covered)('see %s fire and then resolve', (name) => {
    expect({ fired: fired.has(name), resolved: resolved.has(name) }).toEqual({
      fired: true,
      resolved: true,
    });
  });
});

describe('amtool', () => {
  it(`accepts ${ALERTMANAGER}`, () => {
    expect(run('amtool', ['check-config', alertmanagerReadable()])).toMatch(/SUCCESS/);
  });

  it.each(alerts.map((rule) => [rule.alert, rule.labels?.severity] as const))(
    'routes %s (%s) to its receiver',
    (alertname, severity) => {
      const receiver = { critical: 'pager', warning: 'chat' }[severity ?? ''] ?? 'default';
      const labels = [`alertname=${alertname}`, `severity=${severity}`, 'tenant=acme'];
      run('amtool', [
        'config',
        'routes',
        'test',
        `--config.file=${alertmanagerReadable()}`,
        `--verify.receivers=${receiver}`,
        ...labels,
      ]);
    },
  );

  it('keeps alerts without a severity on the default receiver', () => {
    const output = run('amtool', [
      'config',
      'routes',
      'test',
      `--config.file=${alertmanagerReadable()}`,
      'alertname=Unknown',
    ]);
    expect(output.trim()).toBe('default');
  });
});
