import { execFileSync } from 'node:child_process';
import { connect } from '@nats-io/transport-node';
import { filterOf, STREAMS, type EventPayload } from '@refinery/contracts';
import { storedMessages } from '@refinery/testing';
import { canonicalJson } from '../src/versioning/hashes';
import { DatasetsApi, exception } from './support/datasets-api';

interface Ex {
  id: string;
  hash: string;
  type: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  labels: Record<string, unknown> | null;
  source_decision_id: string | null;
  quality_score: number;
  tier: string;
}
interface Commit {
  hash: string;
  parents: string[];
  tree: string;
  author: string;
  message: string;
  committed_at: string;
  added: number;
  removed: number;
  modified: number;
}
interface Diff {
  added: Ex[];
  removed: Ex[];
  modified: { id: string; before: Ex; after: Ex }[];
}

/** sha256sum, the tool docs/datasets.md tells users to recompute hashes with. */
const sha256sum = (text: string) =>
  execFileSync('sha256sum', { input: Buffer.from(text, 'utf8') })
    .toString()
    .split(' ')[0];

/** An example's hash recomputed from its fields with Python's JSON (sorted keys, compact). */
const pythonHash = (e: Ex) =>
  execFileSync(
    'python3',
    [
      '-c',
      `import json,sys,hashlib; e=json.load(sys.stdin); print(hashlib.sha256(json.dumps({k:e[k] for k in ["id","type","input","output","labels","source_decision_id"]}, sort_keys=True, separators=(",",":"), ensure_ascii=False).encode()).hexdigest())`,
    ],
    { input: JSON.stringify(e) },
  )
    .toString()
    .trim();

describe('dataset versioning over HTTP', () => {
  let api: DatasetsApi;
  const ds = '/api/datasets/exceptions';

  beforeAll(async () => {
    api = await DatasetsApi.start();
    await api.ok('POST', '/api/datasets', {
      name: 'exceptions',
      description: 'Delivery exceptions',
    });
  }, 60_000);
  afterAll(() => api?.stop());

  const examplesAt = async (ref: string, dataset = ds) =>
    (await api.ok<{ examples: Ex[] }>('GET', `${dataset}/examples?ref=${ref}&limit=1000`)).examples;

  it('commits, tags, diffs exactly the changed examples, rolls back, and every hash recomputes with sha256sum', async () => {
    const added = await api.ok<{ examples: Ex[] }>('POST', `${ds}/examples`, {
      examples: [
        exception('DELIVERY_DELAY'),
        exception('DAMAGED_ITEM', 'The box arrived crushed and the vase inside is broken.'),
        exception('ADDRESS_ISSUE', 'Carrier says the street number does not exist.'),
        exception('DELIVERY_DELAY'),
      ],
    });
    expect(added.examples).toHaveLength(4);
    const first = await api.ok<Commit>('POST', `${ds}/commits`, {
      message: 'First four examples',
      author: 'curator@example.com',
    });
    expect(first).toMatchObject({ parents: [], added: 4, removed: 0, modified: 0 });
    await api.ok('POST', `${ds}/tags`, { name: 'v1', ref: first.hash });

    // Hashes: each example's (canonical JSON), the tree's, the commit's.
    const v1 = await examplesAt('v1');
    for (const e of v1) expect(pythonHash(e)).toBe(e.hash);
    const sorted = v1.map((e) => e.hash).sort();
    expect(sha256sum(sorted.map((h) => `${h}\n`).join(''))).toBe(first.tree);
    expect(
      sha256sum(
        `tree ${first.tree}\nauthor ${first.author}\ntime ${new Date(first.committed_at).toISOString()}\n\n${first.message}`,
      ),
    ).toBe(first.hash);

    // Two changes: one label fixed, one example removed.
    const [fix, drop] = v1;
    await api.ok('PATCH', `${ds}/examples/${fix.id}`, { output: { label: 'MISSING_ITEM' } });
    const del = await api.call('DELETE', `${ds}/examples/${drop.id}`);
    expect(del.status).toBe(204);
    const second = await api.ok<Commit>('POST', `${ds}/commits`, { message: 'Fix one, drop one' });
    expect(second).toMatchObject({ parents: [first.hash], added: 0, removed: 1, modified: 1 });

    const diff = await api.ok<Diff>('GET', `${ds}/diff?from=v1&to=main`);
    expect(diff.added).toEqual([]);
    expect(diff.removed.map((e) => e.id)).toEqual([drop.id]);
    expect(diff.modified).toHaveLength(1);
    expect(diff.modified[0]).toMatchObject({
      id: fix.id,
      before: { output: { label: fix.output.label } },
      after: { output: { label: 'MISSING_ITEM' } },
    });

    // The tag still materialises its own tree, and the log lists both commits with their counts.
    const checkout = await api.ok('POST', `${ds}/checkout`, { ref: 'v1' });
    expect(checkout).toMatchObject({
      commit: first.hash,
      tree: first.tree,
      verified: true,
      examples: 4,
    });
    const log = await api.ok<Commit[]>('GET', `${ds}/log?ref=main`);
    expect(log.map((c) => [c.hash, c.added, c.removed, c.modified])).toEqual([
      [second.hash, 0, 1, 1],
      [first.hash, 4, 0, 0],
    ]);

    const rollback = await api.ok<Commit>('POST', `${ds}/rollback`, { to: 'v1' });
    expect(rollback).toMatchObject({
      parents: [second.hash],
      tree: first.tree,
      added: 1,
      modified: 1,
    });
    expect(await api.ok<Diff>('GET', `${ds}/diff?from=v1&to=main`)).toEqual({
      added: [],
      removed: [],
      modified: [],
    });
    expect((await examplesAt('main')).map((e) => e.hash).sort()).toEqual(sorted);

    // Each of the three commits was announced once, with its counts.
    const nc = await connect({ servers: process.env.NATS_URL });
    try {
      const announced = await storedMessages<EventPayload<'datasets.committed'>>(
        nc,
        STREAMS.DATASETS.name,
        filterOf('datasets.committed', { tenant: api.tenant.slug }),
      );
      const ours = announced.map((m) => m.data.data).filter((d) => d.dataset === 'exceptions');
      expect(ours.map((d) => [d.commit, d.added, d.removed, d.modified, d.example_count])).toEqual([
        [first.hash, 4, 0, 0, 4],
        [second.hash, 0, 1, 1, 3],
        [rollback.hash, 1, 0, 1, 4],
      ]);
    } finally {
      await nc.close();
    }
  });

  it('merges a branch three ways, and reports conflicting examples instead of guessing', async () => {
    await api.ok('POST', '/api/datasets', { name: 'merging' });
    const m = '/api/datasets/merging';
    const base = await api.ok<{ examples: Ex[] }>('POST', `${m}/examples`, {
      examples: [
        exception('DELIVERY_DELAY'),
        exception('DAMAGED_ITEM'),
        exception('ADDRESS_ISSUE'),
      ],
    });
    await api.ok('POST', `${m}/commits`, { message: 'base' });
    await api.ok('POST', `${m}/branches`, { name: 'relabel', from: 'main' });
    const [a, b, c] = base.examples;
    // Both sides change b differently; each side also changes something of its own.
    await api.ok('PATCH', `${m}/examples/${a.id}`, {
      output: { label: 'MISSING_ITEM' },
      branch: 'relabel',
    });
    await api.ok('PATCH', `${m}/examples/${b.id}`, {
      output: { label: 'CUSTOMER_REQUEST' },
      branch: 'relabel',
    });
    await api.ok('POST', `${m}/commits`, { message: 'relabel a and b', branch: 'relabel' });
    await api.ok('PATCH', `${m}/examples/${b.id}`, { output: { label: 'OTHER' } });
    await api.ok('PATCH', `${m}/examples/${c.id}`, {
      labels: { confidence: 1, reason: 'checked' },
    });
    await api.ok('POST', `${m}/commits`, { message: 'main changes b and c' });

    const clash = await api.call<{ conflicts: { id: string; base: Ex; ours: Ex; theirs: Ex }[] }>(
      'POST',
      `${m}/merge`,
      { from: 'relabel', into: 'main' },
    );
    expect(clash.status).toBe(409);
    expect(clash.body.conflicts).toEqual([
      expect.objectContaining({
        id: b.id,
        base: expect.objectContaining({ output: { label: 'DAMAGED_ITEM' } }),
        ours: expect.objectContaining({ output: { label: 'OTHER' } }),
        theirs: expect.objectContaining({ output: { label: 'CUSTOMER_REQUEST' } }),
      }),
    ]);

    // Settle b the same way on main, then the merge goes through with a's change.
    await api.ok('PATCH', `${m}/examples/${b.id}`, { output: { label: 'CUSTOMER_REQUEST' } });
    await api.ok('POST', `${m}/commits`, { message: 'agree on b' });
    const merged = await api.ok<{ commit: Commit }>('POST', `${m}/merge`, {
      from: 'relabel',
      into: 'main',
    });
    expect(merged.commit.parents).toHaveLength(2);
    const labels = Object.fromEntries(
      (await examplesAt('main', m)).map((e) => [e.id, e.output.label]),
    );
    expect(labels).toEqual({
      [a.id]: 'MISSING_ITEM',
      [b.id]: 'CUSTOMER_REQUEST',
      [c.id]: 'ADDRESS_ISSUE',
    });
  });

  it('merges with a commit of its own when fast_forward is false, and announces it on the target branch', async () => {
    await api.ok('POST', '/api/datasets', { name: 'no-ff' });
    const m = '/api/datasets/no-ff';
    await api.ok('POST', `${m}/examples`, { examples: [exception('DELIVERY_DELAY')] });
    const base = await api.ok<Commit>('POST', `${m}/commits`, { message: 'base' });
    await api.ok('POST', `${m}/branches`, { name: 'incoming', from: 'main' });
    await api.ok('POST', `${m}/examples`, {
      examples: [exception('DAMAGED_ITEM'), exception('MISSING_ITEM')],
      branch: 'incoming',
    });
    const tip = await api.ok<Commit & { example_count: number }>('POST', `${m}/commits`, {
      message: 'two more',
      branch: 'incoming',
    });
    // A branch starts from its origin's examples, whichever branch shares that head.
    expect(tip.example_count).toBe(3);

    const merged = await api.ok<{ fast_forward: boolean; commit: Commit }>('POST', `${m}/merge`, {
      from: 'incoming',
      into: 'main',
      fast_forward: false,
    });
    expect(merged.fast_forward).toBe(false);
    expect(merged.commit).toMatchObject({
      parents: [base.hash, tip.hash],
      added: 2,
      tree: tip.tree,
    });

    const nc = await connect({ servers: process.env.NATS_URL });
    try {
      const announced = await storedMessages<EventPayload<'datasets.committed'>>(
        nc,
        STREAMS.DATASETS.name,
        filterOf('datasets.committed', { tenant: api.tenant.slug }),
      );
      const mergeEvent = announced
        .map((a) => a.data.data)
        .find((d) => d.commit === merged.commit.hash);
      expect(mergeEvent).toMatchObject({ dataset: 'no-ff', branch: 'main', added: 2 });
    } finally {
      await nc.close();
    }
  });

  it('scores examples into tiers and reports the share of Silver and Gold', async () => {
    await api.ok('POST', '/api/datasets', { name: 'scored' });
    await api.ok('POST', '/api/datasets/scored/examples', {
      examples: [
        {
          ...exception('DELIVERY_DELAY'),
          labels: { source: 'correction', confidence: 1, reason: 'agent checked' },
        },
        { type: 'classification', input: { order_number: 'X' }, output: { label: 'nonsense' } },
      ],
    });
    const report = await api.ok<{ tiers: Record<string, number> }>(
      'POST',
      '/api/datasets/scored/validate',
      {},
    );
    expect(report.tiers).toMatchObject({ gold: 1, rejected: 1 });
    const shown = await api.ok<{
      silver_or_gold_share: number;
      coverage: { missing_types: string[] };
    }>('GET', '/api/datasets/scored');
    expect(shown.silver_or_gold_share).toBe(0.5);
    expect(shown.coverage.missing_types).toEqual(['resolution', 'order_analysis']);
  });

  it('names what is wrong, keeps tags immutable and other tenants out', async () => {
    const bad = await api.call('POST', `${ds}/examples`, {
      examples: [{ type: 'poem', input: {}, output: {} }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors).toEqual([expect.objectContaining({ path: 'examples[0].type' })]);
    expect((await api.call('POST', `${ds}/commits`, { message: 'nothing' })).status).toBe(400);
    expect((await api.call('POST', `${ds}/tags`, { name: 'v1', ref: 'main' })).status).toBe(409);
    expect((await api.call('GET', `${ds}/diff?from=v9&to=main`)).status).toBe(404);
    expect((await api.call('GET', `${ds}/log`, undefined, api.other.apiKey)).status).toBe(404);
    expect((await api.call('GET', ds, undefined, 'nope')).status).toBe(401);
  });

  it('hashes canonical JSON as RFC 8785 orders it', () => {
    expect(canonicalJson({ b: [1, 'é', null], a: { d: 1.5, c: true } })).toBe(
      '{"a":{"c":true,"d":1.5},"b":[1,"é",null]}',
    );
  });
});
