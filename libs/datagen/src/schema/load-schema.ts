import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { validate } from '@refinery/contracts';
import { type DatagenSchema, DatagenSchemaSchema } from './schema';
import { SchemaError } from './schema-error';

/** The example schemas that ship with the lib, by name. */
export const SCHEMAS_DIR = join(__dirname, '../../schemas');

export function builtInSchemas(): string[] {
  return readdirSync(SCHEMAS_DIR)
    .filter((file) => file.endsWith('.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** Checks a schema's shape; every problem is named by its path (`nodes.orders.columns.total.sd`). */
export function parseSchema(value: unknown): DatagenSchema {
  const result = validate(DatagenSchemaSchema, value);
  if (!result.ok) throw new SchemaError(result.errors);
  return result.value;
}

/**
 * A schema by built-in name (`ecomm`), JSON file, or TypeScript/JavaScript module whose
 * default export (or `schema` export) is the schema object.
 */
export function loadSchema(nameOrPath: string): DatagenSchema {
  const builtIn = join(SCHEMAS_DIR, `${nameOrPath}.json`);
  const path = existsSync(builtIn) ? builtIn : resolve(nameOrPath);
  if (!existsSync(path)) {
    throw new SchemaError([
      {
        path: '(schema)',
        message: `no file ${nameOrPath} and no built-in schema of that name (built in: ${builtInSchemas().join(', ')})`,
      },
    ]);
  }
  if (extname(path) === '.json') {
    let value: unknown;
    try {
      value = JSON.parse(readFileSync(path, 'utf8'));
    } catch (error) {
      throw new SchemaError([
        { path: '(schema)', message: `${path} is not JSON: ${(error as Error).message}` },
      ]);
    }
    return parseSchema(value);
  }
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const module = require(path) as { default?: unknown; schema?: unknown };
  return parseSchema(module.default ?? module.schema ?? module);
}
