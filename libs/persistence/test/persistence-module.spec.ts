import { ObservabilityModule } from '@refinery/observability';
import { INestApplication, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { AddressInfo } from 'node:net';
import { escapeIdentifier as ident } from 'pg';
import { DataSource, MigrationInterface, QueryRunner } from 'typeorm';

import { PersistenceModule, serviceRole } from '../src';
import {
  asAdmin,
  dropSchemas,
  provisionSchemas,
  serviceConfig,
  tablesIn,
  uniqueName,
} from './test-database';

class CreateEvents1763000000000 implements MigrationInterface {
  async up(runner: QueryRunner): Promise<void> {
    await runner.query('CREATE TABLE events (id bigserial PRIMARY KEY)');
  }

  async down(runner: QueryRunner): Promise<void> {
    await runner.query('DROP TABLE events');
  }
}

describe('PersistenceModule in a Nest app', () => {
  const schema = uniqueName('events');
  const role = serviceRole(schema);
  let app: INestApplication;
  let base: string;

  beforeAll(async () => {
    await provisionSchemas(schema);
    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'persistence-test', readinessTimeoutMs: 1000 }),
        PersistenceModule.forRoot({
          schema,
          entities: [],
          migrations: [CreateEvents1763000000000],
          config: serviceConfig(schema),
        }),
      ],
    })
    class AppModule {}
    app = await NestFactory.create(AppModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await app?.close();
    await asAdmin((client) => client.query(`ALTER ROLE ${ident(role)} LOGIN`));
    await dropSchemas(schema);
  });

  it('starts with the schema migrated', async () => {
    expect(await tablesIn(schema)).toEqual(['events', 'migrations']);
    const [{ count }] = await app
      .get(DataSource)
      .query<{ count: string }[]>('SELECT count(*) FROM events');
    expect(count).toBe('0');
  });

  it('reports postgres as ready, and as unavailable once it cannot connect', async () => {
    const ready = await fetch(`${base}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ok', checks: { postgres: 'ok' } });

    await asAdmin(async (client) => {
      await client.query(`ALTER ROLE ${ident(role)} NOLOGIN`);
      await client.query(
        'SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1',
        [role],
      );
    });
    const down = await fetch(`${base}/health/ready`);
    expect(down.status).toBe(503);
    expect(await down.json()).toEqual({
      status: 'unavailable',
      checks: { postgres: expect.stringContaining(`role "${role}" is not permitted to log in`) },
    });

    await asAdmin((client) => client.query(`ALTER ROLE ${ident(role)} LOGIN`));
    expect((await fetch(`${base}/health/ready`)).status).toBe(200);
  });

  it('closes its connections when the app shuts down', async () => {
    const dataSource = app.get(DataSource);
    await app.close();
    expect(dataSource.isInitialized).toBe(false);
    const sessions = await asAdmin((client) =>
      client.query('SELECT 1 FROM pg_stat_activity WHERE usename = $1', [role]),
    );
    expect(sessions.rowCount).toBe(0);
  });
});
