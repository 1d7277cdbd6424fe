import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(__dirname, '../../..');

/**
 * A process killed right after it logs (no exit hook, no flush) still leaves its last lines,
 * each whole on its own line. Runs the build `npm test` makes first.
 */
describe('JsonLogger in a process killed with SIGKILL right after logging', () => {
  it('has already written the last line to stdout and the last error to stderr', () => {
    const compiled = join(ROOT, 'dist/libs/observability/src/logging/json-logger.js');
    if (!existsSync(compiled)) throw new Error(`${compiled} is missing: run npm run build first`);
    const script = `
      const { JsonLogger } = require(${JSON.stringify(compiled)});
      const logger = new JsonLogger({ service: 'crash-test', level: 'info' });
      for (let i = 0; i < 200; i++) logger.log('line ' + i, 'Crash');
      logger.fatal('going down', 'Crash');
      process.kill(process.pid, 'SIGKILL');`;

    const child = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });

    expect(child.signal).toBe('SIGKILL');
    const lines = child.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(200);
    expect(JSON.parse(lines[199])).toMatchObject({
      level: 'info',
      service: 'crash-test',
      context: 'Crash',
      msg: 'line 199',
    });
    expect(JSON.parse(child.stderr)).toMatchObject({ level: 'fatal', msg: 'going down' });
  });
});
