// Runs first in the npm scripts that need dependencies, a build or the set-up: stops with one
// line naming what to run first, rather than `spawnSync swc ENOENT` or a stack trace from the
// machine's own, older Node. Plain JavaScript any Node runs, as it may be the machine's.
//
//   node tools/require-setup.mjs [build] [setup] [test]
//
// Always: node_modules holds package.json's dependencies at their pinned versions, and this
// is the Node that package.json's engines ask for (npm run finds it in node_modules/.bin).
//   build   dist/ exists
//   setup   `npm run setup` (or start, or test) has run here and left .refinery/secrets.env,
//           or the environment brings the database passwords itself (a deploy pipeline)
//   test    dist/ exists, as `npm test` leaves it with the test database set up
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const needs = process.argv.slice(2);
const pkg = readJson(join(root, 'package.json'));

const problem = missingDependencies() ?? wrongNode() ?? missingSetup();
if (problem) {
  const script = process.env.npm_lifecycle_event ?? 'refinery';
  console.error(`[${script}] ${problem}`);
  process.exit(1);
}

function missingDependencies() {
  if (!existsSync(join(root, 'node_modules', '.bin', 'node'))) {
    return 'dependencies are not installed: run `npm run setup` first (or `npm install` for the dependencies alone)';
  }
  const wanted = { ...pkg.dependencies, ...pkg.devDependencies };
  const stale = Object.entries(wanted)
    .filter(([name, version]) => {
      const installed = readJson(join(root, 'node_modules', name, 'package.json'))?.version;
      return installed === undefined || (/^\d+\.\d+\.\d+$/.test(version) && installed !== version);
    })
    .map(([name, version]) => `${name}@${version}`);
  if (stale.length === 0) return undefined;
  return `node_modules lacks ${stale.join(', ')} (package.json changed since the last install): run \`npm install\` first`;
}

function wrongNode() {
  const range = /^>=(\d+)\.(\d+)\s+<(\d+)$/.exec(pkg.engines?.node ?? '');
  if (!range) return undefined;
  const [major, minor] = process.versions.node.split('.').map(Number);
  const [, lowMajor, lowMinor, highMajor] = range.map(Number);
  const fits = (major > lowMajor || (major === lowMajor && minor >= lowMinor)) && major < highMajor;
  if (fits) return undefined;
  return `this is Node ${process.versions.node} and Refinery needs ${pkg.engines.node}: run it as an npm script, which puts node_modules/.bin/node first`;
}

function missingSetup() {
  const passwordsGiven = Object.keys(process.env).some((name) =>
    name.startsWith('REFINERY_DB_PASSWORD_'),
  );
  if (
    needs.includes('setup') &&
    !passwordsGiven &&
    !existsSync(join(root, '.refinery', 'secrets.env'))
  ) {
    return 'the set-up has not run here (no .refinery/secrets.env): run `npm run setup` first';
  }
  if (needs.includes('test') && !existsSync(join(root, 'dist'))) {
    return 'the integration tests need the test database and the build: run `npm test` once first';
  }
  if (needs.includes('build') && !existsSync(join(root, 'dist'))) {
    return 'dist/ is missing: run `npm run build` first';
  }
  return undefined;
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    return undefined;
  }
}
