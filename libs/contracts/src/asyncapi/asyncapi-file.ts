import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { workspaceRoot } from '../workspace-root';

export const ASYNCAPI_PATH = join(workspaceRoot, 'docs', 'asyncapi.yaml');

export const asyncApiVersion = (): string =>
  (JSON.parse(readFileSync(join(workspaceRoot, 'package.json'), 'utf8')) as { version: string })
    .version;
