import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..', '..', '..', '..');
// Compiled output sits one level deeper (dist/), so walk up until package.json is found.
const workspaceRoot = (() => {
  let dir = root;
  for (let i = 0; i < 3; i++) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'refinery') return dir;
    } catch {
      /* not here */
    }
    dir = join(dir, '..');
  }
  throw new Error('cannot find the workspace root (package.json named "refinery")');
})();

export const ASYNCAPI_PATH = join(workspaceRoot, 'docs', 'asyncapi.yaml');

export const asyncApiVersion = (): string =>
  (JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
