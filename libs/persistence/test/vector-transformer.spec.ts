import {
  Column,
  DataSource,
  Entity,
  MigrationInterface,
  PrimaryGeneratedColumn,
  QueryRunner,
} from 'typeorm';

import { createDataSource, runMigrations, vectorTransformer } from '../src';
import { dropSchemas, provisionSchemas, serviceConfig, uniqueName } from './test-database';

@Entity('memories')
class Memory {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column({ type: 'vector', transformer: vectorTransformer, nullable: true })
  embedding!: number[] | null;
}

class CreateMemories1763000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    // `vector` lives in public: this only works because the search_path includes it.
    await runner.query('CREATE TABLE memories (id serial PRIMARY KEY, embedding vector(3))');
    await runner.query(
      'CREATE INDEX memories_embedding_hnsw ON memories USING hnsw (embedding vector_cosine_ops)',
    );
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE memories');
  }
}

describe('vectorTransformer against a real vector(3) column', () => {
  const schema = uniqueName('vectors');
  let dataSource: DataSource;

  beforeAll(async () => {
    await provisionSchemas(schema);
    dataSource = await createDataSource({
      schema,
      entities: [Memory],
      migrations: [CreateMemories1763000000000],
      config: serviceConfig(schema),
    }).initialize();
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropSchemas(schema);
  });

  it('round-trips a vector and stores it as pgvector text', async () => {
    const memories = dataSource.getRepository(Memory);
    const saved = await memories.save(memories.create({ embedding: [0.5, 1, -2.25] }));

    const loaded = await memories.findOneByOrFail({ id: saved.id });
    expect(loaded.embedding).toEqual([0.5, 1, -2.25]);
    const [raw] = await dataSource.query<{ text: string }[]>(
      'SELECT embedding::text AS text FROM memories WHERE id = $1',
      [saved.id],
    );
    expect(raw.text).toBe('[0.5,1,-2.25]');
  });

  it('keeps a missing vector as NULL and rejects a vector of the wrong size', async () => {
    const memories = dataSource.getRepository(Memory);
    const empty = await memories.save(memories.create({ embedding: null }));
    expect((await memories.findOneByOrFail({ id: empty.id })).embedding).toBeNull();
    await expect(memories.save(memories.create({ embedding: [1, 2] }))).rejects.toThrow(
      'expected 3 dimensions, not 2',
    );
  });

  it('orders by cosine distance with the <=> operator', async () => {
    const memories = dataSource.getRepository(Memory);
    await memories.save([
      { embedding: [1, 0, 0] },
      { embedding: [0, 1, 0] },
      { embedding: [0, 0, 1] },
    ]);
    const nearest = await memories
      .createQueryBuilder('m')
      .where('m.embedding IS NOT NULL')
      .orderBy('m.embedding <=> :probe')
      .setParameters({ probe: '[0.1,0.9,0]' })
      .limit(1)
      .getOneOrFail();
    expect(nearest.embedding).toEqual([0, 1, 0]);
  });
});
