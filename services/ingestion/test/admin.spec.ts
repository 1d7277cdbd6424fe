import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { TestTenants, uniqueName } from '@refinery/testing';
import { order, post, startIngestion, type Ingestion } from './ingestion-app';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..', '..');
const OPERATOR_KEY = TestTenants.operatorKey();

/** `npm run admin -- ...` as built by `npm test`: its stdout, parsed as its one JSON line. */
async function admin(...args: string[]): Promise<Record<string, unknown>> {
  const cli = join(ROOT, 'dist/services/ingestion/src/admin/admin.cli.js');
  const { stdout } = await run(process.execPath, [cli, ...args], {
    env: { ...process.env, DATABASE_NAME: process.env.DATABASE_NAME ?? 'refinery_test' },
  });
  const lines = stdout.trim().split('\n');
  expect(lines).toHaveLength(1);
  return JSON.parse(lines[0]) as Record<string, unknown>;
}

describe('tenant and key management', () => {
  let ingestion: Ingestion;
  const call = async (method: string, path: string, body?: unknown, key = OPERATOR_KEY) => {
    const res = await fetch(`${ingestion.url}${path}`, {
      method,
      headers: { 'content-type': 'application/json', 'x-api-key': key },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    ingestion = await startIngestion({ REFINERY_ADMIN_API_KEY: OPERATOR_KEY });
  });
  afterAll(() => ingestion?.close());

  it('creates a tenant over HTTP whose first key has every tenant scope', async () => {
    const slug = uniqueName('adm').replace('_', '-');
    const created = await call('POST', '/v1/admin/tenants', { slug });
    expect(created.status).toBe(201);
    expect(created.body).toEqual({ tenant: slug, key: expect.stringMatching(`^rk_${slug}_`) });
    const key = created.body.key as string;
    expect((await post(ingestion.url, order(`${slug}-1`), key)).status).toBe(202);

    const again = await call('POST', '/v1/admin/tenants', { slug });
    expect(again.status).toBe(409);
    expect(again.body.detail).toBe(`tenant "${slug}" already exists`);
  });

  it('issues a key with the scopes asked for, lists keys without secrets, and revokes', async () => {
    const slug = uniqueName('adm').replace('_', '-');
    await call('POST', '/v1/admin/tenants', { slug });
    const issued = await call('POST', `/v1/admin/tenants/${slug}/keys`, {
      scopes: ['read', 'review'],
      label: 'reviewers',
    });
    expect(issued.status).toBe(201);
    const { id, key } = issued.body as { id: string; key: string };
    // A key without the ingest scope may not post events.
    expect((await post(ingestion.url, order(`${slug}-1`), key)).status).toBe(403);

    const listed = await call('GET', `/v1/admin/tenants/${slug}/keys`);
    expect(listed.status).toBe(200);
    const keys = listed.body.keys as Record<string, unknown>[];
    expect(keys.map((k) => [k.label, k.scopes, k.revoked_at])).toEqual([
      ['default', ['ingest', 'read', 'review', 'admin'], null],
      ['reviewers', ['read', 'review'], null],
    ]);
    expect(JSON.stringify(listed.body)).not.toContain(key);

    const revoked = await call('POST', `/v1/admin/keys/${id}/revoke`);
    expect(revoked).toEqual({ status: 200, body: { id, tenant: slug, revoked: true } });
    expect((await call('POST', `/v1/admin/keys/${id}/revoke`)).status).toBe(404);
  });

  it('names what is wrong in bad requests', async () => {
    const bad = await call('POST', '/v1/admin/tenants', { slug: 'Not A Slug', extra: 1 });
    expect(bad.status).toBe(400);
    expect((bad.body.errors as { path: string }[]).map((e) => e.path).sort()).toEqual([
      'extra',
      'slug',
    ]);
    const scopes = await call('POST', '/v1/admin/tenants/no-such-tenant/keys', {
      scopes: ['everything'],
    });
    expect(scopes.status).toBe(404);
    const slug = uniqueName('adm').replace('_', '-');
    await call('POST', '/v1/admin/tenants', { slug });
    const unknownScope = await call('POST', `/v1/admin/tenants/${slug}/keys`, {
      scopes: ['everything'],
    });
    expect(unknownScope.status).toBe(400);
    expect(unknownScope.body.errors).toEqual([
      { path: 'scopes[0]', message: expect.stringContaining('ingest') },
    ]);
    expect((await call('POST', '/v1/admin/keys/not-a-uuid/revoke')).status).toBe(400);
  });

  it('does the same from the command line, one JSON line per command', async () => {
    const slug = uniqueName('cli').replace('_', '-');
    const tenant = await admin('tenants', 'create', slug);
    expect(tenant).toEqual({ tenant: slug, key: expect.stringMatching(`^rk_${slug}_`) });
    expect((await post(ingestion.url, order(`${slug}-1`), tenant.key as string)).status).toBe(202);

    const issued = await admin('keys', 'create', slug, '--scopes', 'read,review');
    expect(issued).toEqual({ id: expect.any(String), key: expect.any(String) });
    const listed = await admin('keys', 'list', slug);
    expect((listed.keys as { scopes: string[] }[]).map((k) => k.scopes)).toEqual([
      ['ingest', 'read', 'review', 'admin'],
      ['read', 'review'],
    ]);
    expect(await admin('keys', 'revoke', issued.id as string)).toEqual({
      id: issued.id,
      tenant: slug,
      revoked: true,
    });

    const failed = await run(process.execPath, [
      join(ROOT, 'dist/services/ingestion/src/admin/admin.cli.js'),
      'keys',
      'create',
      slug,
      '--scopes',
      'everything',
    ]).catch((error: { code: number; stderr: string; stdout: string }) => error);
    expect(failed).toMatchObject({ code: 1, stdout: '' });
    expect((failed as { stderr: string }).stderr).toMatch(/scopes\[0\]/);
  });
});
