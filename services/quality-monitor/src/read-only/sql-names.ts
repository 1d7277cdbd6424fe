import { z } from 'zod';

/** Plain SQL names, the only names a request may put in a statement. */
const NAME = '[A-Za-z_][A-Za-z0-9_]{0,62}';
export const IDENTIFIER = new RegExp(`^${NAME}$`);
export const QUALIFIED_TABLE = new RegExp(`^(${NAME})\\.(${NAME})$`);
export const QUALIFIED_COLUMN = new RegExp(`^(${NAME})\\.(${NAME})\\.(${NAME})$`);
export const identifier = z
  .string()
  .regex(IDENTIFIER, 'must be a plain SQL name: letters, digits and _, not starting with a digit');
export const qualifiedTable = z
  .string()
  .regex(QUALIFIED_TABLE, 'must be schema.table, both plain SQL names');

/** The parts of a `schema.table.column` reference. */
export function splitReference(reference: string): [schema: string, table: string, column: string] {
  const match = QUALIFIED_COLUMN.exec(reference);
  if (!match) throw new Error(`"${reference}" is not schema.table.column`);
  return [match[1], match[2], match[3]];
}

export function splitTable(table: string): [schema: string, table: string] {
  const match = QUALIFIED_TABLE.exec(table);
  if (!match) throw new Error(`"${table}" is not schema.table`);
  return [match[1], match[2]];
}
