// Compiles every project with swc into dist/ (workspace paths rewritten to relative
// requires). Type checking is `npm run typecheck`, kept apart because it is much slower.
// Only TypeScript is compiled: every other file, the review console's browser script among
// them, is copied as it is.
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';

rmSync('dist', { recursive: true, force: true });
execFileSync(
  'swc',
  [
    'libs',
    'services',
    '-d',
    'dist',
    '--copy-files',
    '--extensions',
    '.ts',
    '--ignore',
    '**/*.spec.ts,**/*.spec-fixture.ts',
    '--quiet',
  ],
  { stdio: 'inherit' },
);
