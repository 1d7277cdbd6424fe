import { dockerIgnores, dockerignoreRules, readDockerfile, type Stage } from './support/docker';
import { manifest } from './support/repo';

const { globalArgs, stages } = readDockerfile('deploy/docker/Dockerfile');
const runtime = stages.at(-1) as Stage;

const resolve = (text: string) =>
  text.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => globalArgs[name] ?? whole);
const args = (stage: Stage, keyword: string) =>
  stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('deploy/docker/Dockerfile', () => {
  it('builds every stage on the official Node 24 slim image', () => {
    expect(stages.map((stage) => resolve(stage.from))).toEqual(
      stages.map(() => 'node:24-bookworm-slim'),
    );
  });

  it('installs with the lockfile and compiles with the workspace build', () => {
    const build = stages.find((stage) =>
      args(stage, 'RUN').some((run) => run.includes('npm run build')),
    );
    expect(build).toBeDefined();
    expect(args(build as Stage, 'RUN').join('\n')).toMatch(/npm ci(?!.*--omit)/);
  });

  it('ships only production dependencies', () => {
    const copies = args(runtime, 'COPY').filter((copy) => /node_modules/.test(copy));
    expect(copies).toHaveLength(1);
    const [, from] = /--from=(\S+)/.exec(copies[0]) ?? [];
    const deps = stages.find((stage) => stage.name === from);
    expect(args(deps as Stage, 'RUN').join('\n')).toMatch(/npm ci\b.*--omit=dev/);
  });

  it('takes the service as a build argument and runs its compiled entry', () => {
    expect(args(runtime, 'ARG')).toContain('SERVICE');
    const cmd = args(runtime, 'CMD').at(-1) ?? '';
    expect(cmd).toContain('dist/services/${SERVICE}/src/main.js');
    // CMD expands SERVICE when the container starts, so the image must keep it as ENV.
    expect(args(runtime, 'ENV').join(' ')).toMatch(/\bSERVICE=\$\{?SERVICE\}?/);
  });

  it('copies the compiled libs and the selected service into the final image', () => {
    const copied = args(runtime, 'COPY').join('\n');
    expect(copied).toMatch(/dist\/libs\b/);
    expect(copied).toMatch(/dist\/services\/\$\{SERVICE\}/);
  });

  it('carries what provisioning reads: package.json to find the root, and deploy/services.json', () => {
    const copied = args(runtime, 'COPY').filter((copy) => !copy.startsWith('--from'));
    expect(copied).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^package\.json \.\/?$/),
        expect.stringMatching(/^deploy\/services\.json \.\/deploy\/services\.json$/),
      ]),
    );
  });

  it('runs as a non-root user', () => {
    const user = args(runtime, 'USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^(root|0)(:|$)/);
  });

  it('checks liveness with node itself, since the slim image has no curl', () => {
    const check = args(runtime, 'HEALTHCHECK').at(-1) ?? '';
    expect(check).toMatch(
      /CMD \["node", "-e", ".*fetch\(.*127\.0\.0\.1.*process\.env\.PORT.*\/health\/live/,
    );
    expect(check).not.toMatch(/curl|wget/);
  });
});

describe('.dockerignore', () => {
  const rules = dockerignoreRules();
  const ignored = (path: string) => dockerIgnores(rules, path);

  it('sends the build what it needs', () => {
    const needed = [
      'package.json',
      'package-lock.json',
      '.swcrc',
      'tools/build.mjs',
      'tools/require-setup.mjs',
      'deploy/services.json',
      'libs/contracts/src/index.ts',
      'libs/persistence/project.json',
      'services/ingestion/project.json',
      ...manifest().map((service) => `services/${service.name}/src/main.ts`),
    ];
    expect(needed.filter(ignored)).toEqual([]);
  });

  it('keeps local state, secrets and tests out', () => {
    const unwanted = [
      'node_modules/yaml/package.json',
      'dist/libs/contracts/src/index.js',
      '.git/HEAD',
      '.env',
      '.env.local',
      'libs/contracts/node_modules/x/index.js',
      'libs/contracts/src/contracts.spec.ts',
      'services/ingestion/test/ingest.spec.ts',
      'deploy/local/lib.sh',
      'docker-compose.yml',
    ];
    expect(unwanted.filter((path) => !ignored(path))).toEqual([]);
  });
});
