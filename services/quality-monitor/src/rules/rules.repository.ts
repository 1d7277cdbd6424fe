import { Injectable } from '@nestjs/common';
import { DatabaseError } from 'pg';
import { DataSource } from 'typeorm';
import { badField } from '@refinery/runtime';
import { PAYLOAD, type Rule, type StoredRule } from './rule-definition';
import { iso } from '../shared/values';

interface RuleRow {
  id: string;
  definition: Rule;
  created_at: Date;
  updated_at: Date;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const COLUMNS = `id, definition, created_at, updated_at`;

const stored = (row: RuleRow): StoredRule => ({
  id: row.id,
  ...row.definition,
  created_at: iso(row.created_at),
  updated_at: iso(row.updated_at),
});

const copies = (rule: Rule) => [
  rule.name,
  rule.type,
  rule.severity,
  rule.enabled,
  rule.table ?? null,
  rule.record_type ?? null,
  JSON.stringify(rule),
];

/** Rules are not tenant data: they name tables and record types, whoever's rows are in them. */
@Injectable()
export class RulesRepository {
  constructor(private readonly db: DataSource) {}

  async create(rule: Rule): Promise<StoredRule> {
    const [row] = await this.write(
      `INSERT INTO validation_rules (name, type, severity, enabled, target, record_type, definition)
       VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING ${COLUMNS}`,
      copies(rule),
    );
    return stored(row);
  }

  async update(id: string, rule: Rule): Promise<StoredRule | undefined> {
    // In a WITH, so that TypeORM hands back the rows as for any SELECT.
    const rows = await this.write(
      `WITH updated AS (
         UPDATE validation_rules SET name = $1, type = $2, severity = $3, enabled = $4,
                target = $5, record_type = $6, definition = $7, updated_at = now()
          WHERE id = $8 RETURNING ${COLUMNS})
       SELECT * FROM updated`,
      [...copies(rule), id],
    );
    return rows[0] && stored(rows[0]);
  }

  async delete(id: string): Promise<boolean> {
    const [, affected] = await this.db.query(`DELETE FROM validation_rules WHERE id = $1`, [id]);
    return affected > 0;
  }

  /** By id, or by name: names are unique and easier to type. */
  async find(idOrName: string): Promise<StoredRule | undefined> {
    const rows: RuleRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM validation_rules WHERE ${UUID.test(idOrName) ? 'id' : 'name'} = $1`,
      [idOrName],
    );
    return rows[0] && stored(rows[0]);
  }

  async list(filter: { table?: string; type?: string } = {}): Promise<StoredRule[]> {
    const rows: RuleRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM validation_rules
        WHERE ($1::text IS NULL OR target = $1) AND ($2::text IS NULL OR type = $2)
        ORDER BY name`,
      [filter.table ?? null, filter.type ?? null],
    );
    return rows.map(stored);
  }

  /** What a scheduled or "run all" run runs: every enabled rule on a table. */
  async enabledTableRules(): Promise<StoredRule[]> {
    const rows: RuleRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM validation_rules
        WHERE enabled AND target IS DISTINCT FROM '${PAYLOAD}' ORDER BY name`,
    );
    return rows.map(stored);
  }

  async payloadRules(recordTypes: string[]): Promise<StoredRule[]> {
    const rows: RuleRow[] = await this.db.query(
      `SELECT ${COLUMNS} FROM validation_rules
        WHERE enabled AND target = '${PAYLOAD}' AND record_type = ANY($1) ORDER BY name`,
      [recordTypes],
    );
    return rows.map(stored);
  }

  private async write(sql: string, params: unknown[]): Promise<RuleRow[]> {
    try {
      return await this.db.query(sql, params);
    } catch (error) {
      const cause = (error as { driverError?: unknown }).driverError ?? error;
      if (cause instanceof DatabaseError && cause.code === '23505')
        throw badField('name', `a rule named "${String(params[0])}" already exists`);
      throw error;
    }
  }
}
