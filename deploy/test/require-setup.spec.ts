import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { readText, ROOT } from './support/repo';

/**
 * tools/require-setup.mjs, as a fresh clone meets it: each npm script that needs dependencies,
 * a build or the set-up stops with one line naming what to run first.
 */
describe('tools/require-setup.mjs', () => {
  let clone: string;

  beforeEach(() => {
    clone = mkdtempSync(join(tmpdir(), 'refinery-require-setup-'));
    mkdirSync(join(clone, 'tools'));
    copyFileSync(join(ROOT, 'tools/require-setup.mjs'), join(clone, 'tools/require-setup.mjs'));
    packageJson({ dependencies: { pino: '10.4.0' }, devDependencies: { '@types/node': '^24' } });
  });
  afterEach(() => rmSync(clone, { recursive: true, force: true }));

  function packageJson(fields: object) {
    const json = { name: 'clone', engines: { node: '>=24.11 <25' }, ...fields };
    writeFileSync(join(clone, 'package.json'), JSON.stringify(json));
  }

  function install(name: string, version: string) {
    mkdirSync(join(clone, 'node_modules', name), { recursive: true });
    writeFileSync(join(clone, 'node_modules', name, 'package.json'), JSON.stringify({ version }));
  }

  function installAll() {
    mkdirSync(join(clone, 'node_modules/.bin'), { recursive: true });
    writeFileSync(join(clone, 'node_modules/.bin/node'), '');
    install('pino', '10.4.0');
    install('@types/node', '24.3.0');
  }

  function guard(needs: string[] = [], env: Record<string, string> = {}) {
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([name]) => !name.startsWith('REFINERY_DB_PASSWORD_')),
    );
    const result = spawnSync(process.execPath, ['tools/require-setup.mjs', ...needs], {
      cwd: clone,
      encoding: 'utf8',
      env: { ...clean, npm_lifecycle_event: 'bench:ingest', ...env },
    });
    return { status: result.status, lines: result.stderr.split('\n').filter(Boolean) };
  }

  it('names the set-up when nothing is installed', () => {
    expect(guard()).toEqual({
      status: 1,
      lines: [
        '[bench:ingest] dependencies are not installed: run `npm run setup` first (or `npm install` for the dependencies alone)',
      ],
    });
  });

  it('names npm install when a pinned dependency is missing or at another version', () => {
    installAll();
    install('pino', '10.3.0');
    rmSync(join(clone, 'node_modules/@types/node'), { recursive: true });
    expect(guard()).toEqual({
      status: 1,
      lines: [
        '[bench:ingest] node_modules lacks pino@10.4.0, @types/node@^24 (package.json changed since the last install): run `npm install` first',
      ],
    });
  });

  it('refuses a Node outside the engines range', () => {
    installAll();
    packageJson({ engines: { node: '>=99.1 <100' } });
    expect(guard()).toEqual({
      status: 1,
      lines: [
        `[bench:ingest] this is Node ${process.versions.node} and Refinery needs >=99.1 <100: run it as an npm script, which puts node_modules/.bin/node first`,
      ],
    });
  });

  it('names npm run setup until the set-up has run, or the passwords come from the environment', () => {
    installAll();
    expect(guard(['setup']).lines).toEqual([
      '[bench:ingest] the set-up has not run here (no .refinery/secrets.env): run `npm run setup` first',
    ]);
    expect(guard(['setup'], { REFINERY_DB_PASSWORD_INGESTION: 'x' })).toEqual({
      status: 0,
      lines: [],
    });
    mkdirSync(join(clone, '.refinery'));
    writeFileSync(join(clone, '.refinery/secrets.env'), '');
    expect(guard(['setup'])).toEqual({ status: 0, lines: [] });
  });

  it('names the build, or npm test for jest, until dist/ exists', () => {
    installAll();
    expect(guard(['build']).lines).toEqual([
      '[bench:ingest] dist/ is missing: run `npm run build` first',
    ]);
    expect(guard(['test']).lines).toEqual([
      '[bench:ingest] the integration tests need the test database and the build: run `npm test` once first',
    ]);
    mkdirSync(join(clone, 'dist'));
    expect(guard(['build', 'test'])).toEqual({ status: 0, lines: [] });
  });
});

describe('npm scripts', () => {
  const scripts = (JSON.parse(readText('package.json')) as { scripts: Record<string, string> })
    .scripts;

  it('check the set-up first, unless they make it themselves', () => {
    const makeSetUp = ['start', 'test', 'test:faults', 'setup'];
    const unguarded = Object.entries(scripts)
      .filter(([name]) => !makeSetUp.includes(name))
      .filter(
        ([, command]) =>
          !command.startsWith('node tools/require-setup.mjs') &&
          !command.startsWith('npm run build &&'),
      )
      .map(([name]) => name);
    expect(unguarded).toEqual([]);
  });
});
