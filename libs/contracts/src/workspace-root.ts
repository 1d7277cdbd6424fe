import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * The nearest directory above this file whose package.json is named "refinery": the same from
 * the sources and from their compiled copies in dist/.
 */
export const workspaceRoot = (() => {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string };
      if (pkg.name === 'refinery') return dir;
    } catch {
      /* not here */
    }
  }
  throw new Error('cannot find the workspace root (package.json named "refinery")');
})();
