import {
  Column,
  DataSource,
  Entity,
  MigrationInterface,
  PrimaryGeneratedColumn,
  QueryRunner,
} from 'typeorm';

import { createDataSource, runMigrations } from '../src';
import {
  asAdmin,
  dropSchemas,
  provisionSchemas,
  serviceConfig,
  tablesIn,
  uniqueName,
} from './test-database';

@Entity('notes')
class Note {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  body!: string;
}

class CreateNotes1763000000000 implements MigrationInterface {
  // Unqualified on purpose: the DataSource's search_path must put it in the service's schema.
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE notes (id serial PRIMARY KEY, body text NOT NULL)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE notes');
  }
}

class BrokenHalfway1763000000001 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE drafts (id int)');
    await runner.query('SELECT 1 / 0');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE drafts');
  }
}

describe('createDataSource and runMigrations', () => {
  const schema = uniqueName('notes');
  const sources: DataSource[] = [];

  const open = async (
    migrations: MigrationInterface['constructor'][] = [CreateNotes1763000000000],
    poolSize?: number,
  ) => {
    const dataSource = createDataSource({
      schema,
      entities: [Note],
      migrations,
      config: serviceConfig(schema),
      poolSize,
    });
    sources.push(dataSource);
    return dataSource.initialize();
  };

  beforeAll(() => provisionSchemas(schema));
  afterAll(async () => {
    await Promise.all(sources.filter((s) => s.isInitialized).map((s) => s.destroy()));
    await dropSchemas(schema);
  });

  it('creates the tables and its migrations table in its own schema, logging what it applied', async () => {
    const dataSource = await open(undefined, 1);
    const log = jest.fn();

    await expect(runMigrations(dataSource, { log })).resolves.toEqual(['CreateNotes1763000000000']);
    expect(log).toHaveBeenCalledWith('applied migration CreateNotes1763000000000');
    expect(await tablesIn(schema)).toEqual(['migrations', 'notes']);
    expect(await tablesIn('public')).not.toContain('notes');
    const recorded = await asAdmin((client) =>
      client.query(`SELECT name FROM ${schema}.migrations`),
    );
    expect(recorded.rows).toEqual([{ name: 'CreateNotes1763000000000' }]);

    const notes = dataSource.getRepository(Note);
    await notes.save(notes.create({ body: 'first' }));
    expect(await notes.find()).toEqual([{ id: 1, body: 'first' }]);
  });

  it('applies nothing when run again', async () => {
    const dataSource = await open();
    const log = jest.fn();
    await expect(runMigrations(dataSource, { log })).resolves.toEqual([]);
    expect(log).not.toHaveBeenCalled();
  });

  it('applies a migration once when replicas start together', async () => {
    const later = class AddNoteAuthor1763000000002 implements MigrationInterface {
      async up(runner: QueryRunner): Promise<void> {
        await runner.query('ALTER TABLE notes ADD COLUMN author text');
      }
      async down(runner: QueryRunner): Promise<void> {
        await runner.query('ALTER TABLE notes DROP COLUMN author');
      }
    };
    const replicas = await Promise.all(
      [0, 1, 2].map(() => open([CreateNotes1763000000000, later])),
    );
    const applied = await Promise.all(replicas.map((replica) => runMigrations(replica)));
    expect(applied.flat()).toEqual(['AddNoteAuthor1763000000002']);
  });

  it('rolls back a failing migration completely and leaves it pending', async () => {
    const dataSource = await open([CreateNotes1763000000000, BrokenHalfway1763000000001]);
    await expect(runMigrations(dataSource)).rejects.toThrow('division by zero');
    expect(await tablesIn(schema)).not.toContain('drafts');
    const pending = await asAdmin((client) =>
      client.query(`SELECT 1 FROM ${schema}.migrations WHERE name LIKE 'Broken%'`),
    );
    expect(pending.rowCount).toBe(0);
  });

  it('never creates tables from entity metadata', async () => {
    @Entity('unmigrated')
    class Unmigrated {
      @PrimaryGeneratedColumn()
      id!: number;
    }
    const dataSource = createDataSource({
      schema,
      entities: [Unmigrated],
      migrations: [],
      config: serviceConfig(schema),
    });
    sources.push(dataSource);
    await dataSource.initialize();
    expect(await tablesIn(schema)).not.toContain('unmigrated');
  });
});
