import { startMonitor, type Monitor } from './monitor-app';
import { createScratchSchema, request } from './rules-support';

const TABLES = `
  CREATE TABLE contacts (id int PRIMARY KEY, name text, email text, phone text,
                         signed_up text, age int);
  INSERT INTO contacts VALUES
    (1, '  Ann  ', ' Ann@Example.COM ', '+49 (30) 1234-567', '05.03.2024', 30),
    (2, 'Bob', 'bob@example.com', '0049 30 7654321', '2024/3/7', NULL),
    (3, 'Cy ', 'ann@example.com', '030 111 222', '2024-03-09', 40),
    (4, 'Dee', 'dee@example.com', NULL, '31/02/2024', 50),
    (5, 'Eve', 'BOB@example.com ', 'n/a', 'not a date', NULL);
  CREATE TABLE notes (id int PRIMARY KEY, contact_id int, body text);
  INSERT INTO notes VALUES (1, 1, 'hi'), (2, 9, NULL), (3, 2, NULL), (4, NULL, 'x');`;

const ACTIONS = [
  { action: 'trim', column: 'name' },
  { action: 'standardize_email', column: 'email' },
  { action: 'standardize_phone', column: 'phone' },
  { action: 'standardize_date', column: 'signed_up' },
  { action: 'impute', column: 'age', strategy: 'median' },
  // Only duplicates once the emails are standardized: the preview follows the actions in order.
  { action: 'deduplicate', columns: ['email'] },
];

type Problem = { status: number; detail: string; errors?: { path: string; message: string }[] };
interface CleanseReport {
  dry_run: boolean;
  actions: {
    action: string;
    rows: number;
    sample: { id: string; before: unknown; after: unknown }[];
  }[];
}

describe('completeness, orphans and cleansing of a table', () => {
  let monitor: Monitor;
  let scratch: Awaited<ReturnType<typeof createScratchSchema>>;
  let s: string;
  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    request<T>(monitor.url, method, path, body);
  const contents = () => scratch.admin(`SELECT * FROM ${s}.contacts ORDER BY id`);

  beforeAll(async () => {
    scratch = await createScratchSchema(TABLES);
    s = scratch.schema;
    // Listing the monitor's own schema and auth does not make them cleansable.
    monitor = await startMonitor({ QUALITY_CLEANSE_SCHEMAS: `${s}, quality,auth` });
  });

  afterAll(async () => {
    await monitor?.close();
    await scratch?.drop();
  });

  it('reports the non-null share of every column', async () => {
    const res = await call('GET', `/api/quality/completeness/${s}/notes`);
    expect(res).toEqual({
      status: 200,
      body: {
        table: `${s}.notes`,
        rows: 4,
        columns: [
          { column: 'id', type: 'integer', non_null: 4, null: 0, completeness: 1 },
          { column: 'contact_id', type: 'integer', non_null: 3, null: 1, completeness: 0.75 },
          { column: 'body', type: 'text', non_null: 2, null: 2, completeness: 0.5 },
        ],
      },
    });
    const missing = await call<Problem>('GET', `/api/quality/completeness/${s}/nope`);
    expect(missing.status).toBe(404);
    expect(missing.body.detail).toContain(`${s}.nope does not exist`);
    const bad = await call<Problem>('GET', `/api/quality/completeness/${s}/Bad-Name`);
    expect(bad.status).toBe(400);
    expect(bad.body.errors?.[0].path).toBe('table');
  });

  it('finds rows that point at nothing', async () => {
    const res = await call(
      'GET',
      `/api/quality/orphans/${s}/notes?column=contact_id&references=${s}.contacts.id`,
    );
    expect(res.body).toMatchObject({
      success: false,
      result: { unexpected_count: 1, partial_unexpected_list: [9], unexpected_ids: ['2'] },
    });
    const unknown = await call<Problem>(
      'GET',
      `/api/quality/orphans/${s}/notes?column=contact_id&references=${s}.contacts.nope`,
    );
    expect(unknown.body.errors).toEqual([
      { path: 'references', message: `table ${s}.contacts has no column nope` },
    ]);
  });

  it('reports what a dry run would change, action by action, and changes nothing', async () => {
    const before = await contents();
    const res = await call<CleanseReport>('POST', '/api/quality/cleanse', {
      table: `${s}.contacts`,
      actions: ACTIONS,
    });
    expect(res.status).toBe(200);
    expect(res.body.dry_run).toBe(true);
    expect(res.body.actions.map((a) => [a.action, a.rows])).toEqual([
      ['trim', 2],
      ['standardize_email', 2],
      ['standardize_phone', 3],
      ['standardize_date', 2],
      ['impute', 2],
      ['deduplicate', 2],
    ]);
    const [trim, email, phone, date, impute, dedupe] = res.body.actions.map((a) => a.sample);
    expect(trim).toEqual([
      { id: '1', before: '  Ann  ', after: 'Ann' },
      { id: '3', before: 'Cy ', after: 'Cy' },
    ]);
    expect(email).toEqual([
      { id: '1', before: ' Ann@Example.COM ', after: 'ann@example.com' },
      { id: '5', before: 'BOB@example.com ', after: 'bob@example.com' },
    ]);
    expect(phone.map((p) => p.after)).toEqual(['+49301234567', '+49307654321', '030111222']);
    expect(date).toEqual([
      { id: '1', before: '05.03.2024', after: '2024-03-05' },
      { id: '2', before: '2024/3/7', after: '2024-03-07' },
    ]);
    expect(impute).toEqual([
      { id: '2', before: null, after: 40 },
      { id: '5', before: null, after: 40 },
    ]);
    expect(dedupe).toEqual([
      { id: '3', before: { email: 'ann@example.com' }, after: null },
      { id: '5', before: { email: 'bob@example.com' }, after: null },
    ]);
    expect(await contents()).toEqual(before);
  });

  it("applies only where the monitor's role may write, and then as the dry run said", async () => {
    const before = await contents();
    const apply = () =>
      call<CleanseReport & Problem>('POST', '/api/quality/cleanse', {
        table: `${s}.contacts`,
        dry_run: false,
        actions: ACTIONS,
      });
    const refused = await apply();
    expect(refused.status).toBe(403);
    expect(refused.body.detail).toMatch(/^refinery_quality may not change .*contacts/);
    expect(await contents()).toEqual(before);

    await scratch.admin(
      `GRANT USAGE ON SCHEMA ${s} TO refinery_quality;
       GRANT SELECT, UPDATE, DELETE ON ${s}.contacts TO refinery_quality`,
    );
    const applied = await apply();
    expect(applied.status).toBe(200);
    expect(applied.body.actions.map((a) => a.rows)).toEqual([2, 2, 3, 2, 2, 2]);
    expect(await contents()).toEqual([
      {
        id: 1,
        name: 'Ann',
        email: 'ann@example.com',
        phone: '+49301234567',
        signed_up: '2024-03-05',
        age: 30,
      },
      {
        id: 2,
        name: 'Bob',
        email: 'bob@example.com',
        phone: '+49307654321',
        signed_up: '2024-03-07',
        age: 40,
      },
      {
        id: 4,
        name: 'Dee',
        email: 'dee@example.com',
        phone: null,
        signed_up: '31/02/2024',
        age: 50,
      },
    ]);
  });

  it("cleanses only the schemas QUALITY_CLEANSE_SCHEMAS lists, never the monitor's own or auth", async () => {
    const cleanse = (table: string, dryRun: boolean) =>
      call<Problem>('POST', '/api/quality/cleanse', {
        table,
        dry_run: dryRun,
        actions: [{ action: 'trim', column: 'slug' }],
      });
    for (const dryRun of [true, false]) {
      for (const table of ['quality.record_states', 'quality.validation_rules', 'auth.tenants']) {
        const refused = await cleanse(table, dryRun);
        expect(refused.status).toBe(403);
        expect(refused.body.detail).toMatch(/^cleansing never reads or changes (quality|auth): /);
      }
      const unlisted = await cleanse('ingestion.records', dryRun);
      expect(unlisted.status).toBe(403);
      expect(unlisted.body.detail).toBe(
        `cleansing may change only the schemas in QUALITY_CLEANSE_SCHEMAS (${s}, quality, auth); ingestion is not one of them`,
      );
    }
  });

  it('names the action whose column does not exist or does not suit it', async () => {
    const cleanse = (actions: unknown[]) =>
      call<Problem>('POST', '/api/quality/cleanse', { table: `${s}.contacts`, actions });
    expect((await cleanse([{ action: 'trim', column: 'age' }])).body.errors).toEqual([
      { path: 'actions[0].column', message: 'trim needs a text column; age is integer' },
    ]);
    expect(
      (await cleanse([{ action: 'impute', column: 'nope', strategy: 'mode' }])).body.errors,
    ).toEqual([{ path: 'actions[0].column', message: `table ${s}.contacts has no column nope` }]);
    expect((await cleanse([{ action: 'shout', column: 'name' }])).status).toBe(400);
  });
});
