import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

import {
  describeProvision,
  provisionFromManifest,
  rolePasswordsFromEnv,
} from '../src/cli/provision';
import { findWorkspaceRoot, readServicesManifest } from '../src/cli/services-manifest';
import { readerRole, rolePasswordVariable } from '../src';
import { asAdmin, dropRoles, dropSchemas, TEST_DATABASE, uniqueName } from './test-database';

describe('provision CLI', () => {
  const dir = mkdtempSync(join(tmpdir(), 'refinery-manifest-'));
  const first = uniqueName('svc');
  const second = uniqueName('svc');

  afterAll(async () => {
    rmSync(dir, { recursive: true, force: true });
    await dropRoles(readerRole(second));
    await dropSchemas(first, second);
  });

  it('finds the workspace root from anywhere inside it', () => {
    const root = resolve(__dirname, '../../..');
    expect(findWorkspaceRoot(__dirname)).toBe(root);
    expect(
      readServicesManifest(join(root, 'deploy/services.json')).services.length,
    ).toBeGreaterThan(0);
  });

  it('provisions every schema of the manifest and says what it did, one line per schema', async () => {
    const manifest = join(dir, 'services.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        services: [
          { name: 'a', port: 1, schema: first, main: 'a.js' },
          { name: 'b', port: 2, schema: second, main: 'b.js' },
          { name: 'b-worker', port: 3, schema: second, main: 'w.js' },
        ],
      }),
    );
    const env = { ...process.env, DATABASE_NAME: TEST_DATABASE };

    expect(describeProvision(await provisionFromManifest(manifest, env))).toEqual([
      `${TEST_DATABASE}.${first}: schema created, role refinery_${first} created`,
      `${TEST_DATABASE}.${second}: schema created, role refinery_${second} created`,
    ]);
    expect(describeProvision(await provisionFromManifest(manifest, env))).toEqual([
      `${TEST_DATABASE}.${first}: schema exists, role refinery_${first} exists`,
      `${TEST_DATABASE}.${second}: schema exists, role refinery_${second} exists`,
    ]);
  });

  it('leaves role passwords as they are when told to, as npm test does beside a running platform', async () => {
    const manifest = join(dir, 'one.json');
    writeFileSync(
      manifest,
      JSON.stringify({ services: [{ name: 'a', port: 1, schema: first, main: 'a.js' }] }),
    );
    const role = `refinery_${first}`;
    const withPassword = (password: string) => ({
      ...process.env,
      DATABASE_NAME: TEST_DATABASE,
      [rolePasswordVariable(role)]: password,
    });
    const verifier = () =>
      asAdmin((client) =>
        client.query<{ secret: string | null }>(
          'SELECT rolpassword AS secret FROM pg_authid WHERE rolname = $1',
          [role],
        ),
      ).then(({ rows }) => rows[0]?.secret);

    await provisionFromManifest(manifest, withPassword('the-platform-clone'));
    const platforms = await verifier();
    expect(platforms).toMatch(/^SCRAM-SHA-256\$/);
    await provisionFromManifest(manifest, withPassword('the-test-clone'), {
      keepRolePasswords: true,
    });
    expect(await verifier()).toBe(platforms);
    await provisionFromManifest(manifest, withPassword('the-test-clone'));
    expect(await verifier()).not.toBe(platforms);
  });

  it('gives a service asking for a reader one, with the password of its own variable', async () => {
    const manifest = join(dir, 'reader.json');
    writeFileSync(
      manifest,
      JSON.stringify({
        services: [
          { name: 'a', port: 1, schema: first, main: 'a.js' },
          { name: 'b', port: 2, schema: second, main: 'b.js', reader: true },
        ],
      }),
    );
    const reader = readerRole(second);
    expect(reader).toBe(`refinery_${second}_reader`);
    expect(rolePasswordVariable(reader)).toBe(
      `REFINERY_DB_PASSWORD_${second.toUpperCase()}_READER`,
    );
    const env = {
      ...process.env,
      DATABASE_NAME: TEST_DATABASE,
      [rolePasswordVariable(reader)]: 'the-readers-own',
    };
    expect(describeProvision(await provisionFromManifest(manifest, env))).toEqual([
      `${TEST_DATABASE}.${first}: schema exists, role refinery_${first} exists`,
      `${TEST_DATABASE}.${second}: schema exists, role refinery_${second} exists`,
      `${TEST_DATABASE}.${second}: reader role ${reader} created`,
    ]);
    const { rows } = await asAdmin((client) =>
      client.query<{ secret: string | null }>(
        'SELECT rolpassword AS secret FROM pg_authid WHERE rolname = $1',
        [reader],
      ),
    );
    expect(rows[0]?.secret).toMatch(/^SCRAM-SHA-256\$/);
  });

  it("takes each role's password from its own variable, and no shared one", () => {
    const env = {
      DATABASE_PASSWORD: 'shared',
      REFINERY_DB_PASSWORD_ORDER_ANALYSIS: 'a',
      REFINERY_DB_PASSWORD_READONLY: 'r',
      REFINERY_DB_PASSWORD_QUALITY: '',
    };
    const roles = ['refinery_order_analysis', 'refinery_quality', 'refinery_readonly'];
    expect(rolePasswordsFromEnv(roles, env)).toEqual({
      refinery_order_analysis: 'a',
      refinery_readonly: 'r',
    });
  });

  it('names what is wrong in a malformed manifest', () => {
    const manifest = join(dir, 'broken.json');
    writeFileSync(
      manifest,
      JSON.stringify({ services: [{ name: 'a', port: '3000', main: 'a.js' }] }),
    );
    expect(() => readServicesManifest(manifest)).toThrow(
      /services\.0\.port: .*services\.0\.schema: /,
    );
  });
});
