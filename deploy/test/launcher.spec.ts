import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { manifest, ROOT } from './support/repo';

/**
 * `npm start`'s last step, as a user runs it: every service from the manifest under one
 * launcher, URLs and the demo key printed once ready, Ctrl-C stopping them all. Needs the
 * build that `npm test` makes first.
 */
describe('tools/launch.mjs', () => {
  const apiKey = `rk_demo_launcher_test_${process.pid}`;
  let launcher: ChildProcess;
  let output = '';

  beforeAll(async () => {
    launcher = spawn(process.execPath, [join(ROOT, 'tools/launch.mjs')], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test',
        REFINERY_DEMO_API_KEY: apiKey,
        LOG_LEVEL: 'warn',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    launcher.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    launcher.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const deadline = Date.now() + 60_000;
    while (
      !output.includes('Ctrl-C stops everything') &&
      Date.now() < deadline &&
      launcher.exitCode === null
    ) {
      await new Promise((r) => setTimeout(r, 200));
    }
  }, 70_000);

  afterAll(() => {
    if (launcher.exitCode === null) launcher.kill('SIGKILL');
  });

  it('prints every service URL as ready, and the demo key', () => {
    for (const service of manifest()) {
      expect(output).toContain(`http://127.0.0.1:${service.port}  (docs /docs, ready yes)`);
    }
    expect(output).toContain(`Demo tenant "demo", API key: ${apiKey}`);
  });

  it('runs ingestion such that the demo key is accepted', async () => {
    const res = await fetch('http://127.0.0.1:3000/v1/events', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': apiKey },
      body: JSON.stringify({
        type: 'exception',
        source: 'launcher-test',
        external_id: `x-${process.pid}-${Date.now()}`,
        occurred_at: new Date().toISOString(),
        data: { order_number: 'EU-1', description: 'parcel damaged in transit' },
      }),
    });
    expect(res.status).toBe(202);
  });

  it('stops every service on Ctrl-C and exits', async () => {
    const exited = new Promise<number | null>((resolve) =>
      launcher.once('exit', (code) => resolve(code)),
    );
    launcher.kill('SIGINT');
    expect(await exited).toBe(130);
    await expect(fetch('http://127.0.0.1:3000/health/live')).rejects.toThrow();
  }, 20_000);
});
