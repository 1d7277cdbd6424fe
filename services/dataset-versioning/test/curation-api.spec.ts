import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { eventOf } from '@refinery/contracts';
import { Bus, completedException, waitFor } from '@refinery/testing';
import { DuckDBInstance } from '@duckdb/node-api';
import { DatasetsApi, exception } from './support/datasets-api';

interface Ex {
  id: string;
  type: string;
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  labels: Record<string, unknown>;
  source_decision_id: string;
  tier: string;
}

const at = () => new Date().toISOString();

/** learning.applied as learning publishes it after a correction is approved. */
function applied(tenant: string, label: string, action: string) {
  const recordId = randomUUID();
  const itemId = randomUUID();
  return eventOf('learning.applied', {
    id: `learning.applied:${itemId}`,
    tenant,
    occurred_at: at(),
    record_id: recordId,
    data: {
      item_id: itemId,
      source_type: 'correction',
      source_id: randomUUID(),
      input: {
        order_number: `ORD-${recordId.slice(0, 6)}`,
        description: `Customer ${recordId.slice(0, 4)} says the parcel arrived with a torn box and a cracked screen.`,
        carrier: 'UPS',
      },
      expected_output: { label, action },
      original_output: { label: 'DELIVERY_DELAY', action: 'CONTACT_CARRIER' },
      reason: 'Photos show the damage',
      confidence_score: 95,
      approved_by: 'key:reviewer',
      applied_at: at(),
    },
  });
}

describe('curation: candidates, labeling, exports', () => {
  let api: DatasetsApi;
  let bus: Bus;

  beforeAll(async () => {
    api = await DatasetsApi.start();
    bus = await Bus.open();
  }, 60_000);
  afterAll(async () => {
    await bus?.close();
    await api?.stop();
  });

  it('lands applied corrections on the candidates branch, and a curator commits, merges and tags them', async () => {
    const slug = api.tenant.slug;
    await bus.publish(
      applied(slug, 'DAMAGED_ITEM', 'RESHIP'),
      applied(slug, 'DAMAGED_ITEM', 'REFUND'),
    );
    const staged = await waitFor(async () => {
      const res = await api.call<{ examples: Ex[] }>(
        'GET',
        '/api/datasets/golden/examples?branch=candidates',
      );
      return res.status === 200 && res.body.examples.length === 4 ? res.body.examples : undefined;
    }, 20_000);
    expect(staged.map((e) => e.type).sort()).toEqual([
      'classification',
      'classification',
      'resolution',
      'resolution',
    ]);
    for (const e of staged) {
      expect(e.labels).toMatchObject({ source: 'correction', reason: 'Photos show the damage' });
      expect(['gold', 'silver']).toContain(e.tier);
    }
    const commit = await api.ok<{ hash: string; added: number }>(
      'POST',
      '/api/datasets/golden/commits',
      {
        message: 'Corrections of the week',
        branch: 'candidates',
      },
    );
    expect(commit.added).toBe(4);
    const merged = await api.ok<{ fast_forward: boolean }>('POST', '/api/datasets/golden/merge', {
      from: 'candidates',
      into: 'main',
    });
    expect(merged.fast_forward).toBe(true);
    await api.ok('POST', '/api/datasets/golden/tags', { name: 'v1', ref: 'main' });
    expect(
      (await api.ok<{ examples: number }>('GET', '/api/datasets/golden?ref=v1')).examples,
    ).toBe(4);
  });

  it('makes the confident answers of results that got a thumbs-up candidates, and nothing else', async () => {
    const slug = api.tenant.slug;
    const confirmed = completedException(slug, {
      label: 'ADDRESS_ISSUE',
      action: 'VERIFY_ADDRESS',
      confidence: 0.93,
      description: 'The courier could not find house number 221b on Baker Street.',
    });
    const unsure = completedException(slug, {
      label: 'OTHER',
      action: 'ESCALATE_HUMAN',
      confidence: 0.55,
    });
    const unrated = completedException(slug, {
      label: 'DELIVERY_DELAY',
      action: 'CONTACT_CARRIER',
    });
    const thumbsUp = (event: typeof confirmed) =>
      eventOf('feedback.recorded', {
        id: `feedback.recorded:${randomUUID()}`,
        tenant: slug,
        occurred_at: at(),
        record_id: event.payload.record_id,
        data: {
          feedback_id: randomUUID(),
          feedback_type: 'thumbs_up',
          rating: null,
          reason: null,
          learning_item_id: null,
        },
      });
    // Feedback may reach the service before the result it is about.
    await bus.publish(thumbsUp(confirmed), thumbsUp(unsure));
    await bus.publish(confirmed, unsure, unrated);
    const confirmedOnes = async () => {
      const res = await api.call<{ examples: Ex[] }>(
        'GET',
        '/api/datasets/golden/examples?branch=candidates&limit=100',
      );
      return res.body?.examples?.filter((e) => e.labels.source === 'positive_feedback') ?? [];
    };
    await waitFor(async () => ((await confirmedOnes()).length >= 5 ? true : undefined), 20_000);
    // The unrated result had its chance to arrive meanwhile.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const found = await confirmedOnes();
    const of = (event: typeof confirmed) =>
      found
        .filter((e) => e.source_decision_id === event.payload.record_id)
        .map((e) => [e.type, e.output])
        .sort();
    expect(of(confirmed)).toEqual([
      ['classification', { label: 'ADDRESS_ISSUE' }],
      ['order_analysis', { problems: ['LATE_SHIPMENT'] }],
      ['resolution', { action: 'VERIFY_ADDRESS' }],
    ]);
    // Each stage's answer stands on its own confidence: the unsure label (0.55) is left out.
    expect(of(unsure)).toEqual([
      ['order_analysis', { problems: ['LATE_SHIPMENT'] }],
      ['resolution', { action: 'ESCALATE_HUMAN' }],
    ]);
    expect(found).toHaveLength(5);
  });

  it('serves examples to two labelers and reports their agreement', async () => {
    await api.ok('POST', '/api/datasets', { name: 'to-label' });
    const labels = [
      'DELIVERY_DELAY',
      'DAMAGED_ITEM',
      'ADDRESS_ISSUE',
      'MISSING_ITEM',
      'DELIVERY_DELAY',
      'OTHER',
    ];
    await api.ok('POST', '/api/datasets/to-label/examples', {
      examples: labels.map((l) => exception(l)),
    });
    await api.ok('POST', '/api/datasets/to-label/commits', { message: 'to label' });
    // Ana and Ben agree on 5 of 6: Cohen's kappa = (5/6 - pe) / (1 - pe).
    const answers: Record<string, string[]> = {
      ana: [
        'DELIVERY_DELAY',
        'DAMAGED_ITEM',
        'ADDRESS_ISSUE',
        'MISSING_ITEM',
        'DELIVERY_DELAY',
        'OTHER',
      ],
      ben: [
        'DELIVERY_DELAY',
        'DAMAGED_ITEM',
        'ADDRESS_ISSUE',
        'MISSING_ITEM',
        'DELIVERY_DELAY',
        'DELIVERY_DELAY',
      ],
    };
    const order: string[] = [];
    for (const labeler of ['ana', 'ben']) {
      const session = await api.ok<{ id: string }>('POST', '/api/labeling/sessions', {
        dataset: 'to-label',
        session_type: 'initial_labeling',
        labeler,
      });
      for (let i = 0; ; i++) {
        const next = await api.ok<{ example: Ex | null }>(
          'GET',
          `/api/labeling/sessions/${session.id}/next`,
        );
        if (!next.example) break;
        if (labeler === 'ana') order.push(next.example.id);
        const index = order.indexOf(next.example.id);
        await api.ok('POST', `/api/labeling/sessions/${session.id}/submit`, {
          example_id: next.example.id,
          label: answers[labeler][index],
          confidence: 0.9,
        });
        expect(i).toBeLessThan(6);
      }
      await api.ok('POST', `/api/labeling/sessions/${session.id}/end`);
    }
    const report = await api.ok<{
      cohen: { kappa: number };
      krippendorff_alpha: number;
      items: number;
    }>('GET', '/api/labeling/agreement?dataset=to-label');
    expect(report.items).toBe(6);
    // Marginals: ana DD 2, DI 1, AI 1, MI 1, O 1; ben DD 3, DI 1, AI 1, MI 1.
    const pe = (2 * 3 + 1 + 1 + 1) / 36;
    expect(report.cohen.kappa).toBeCloseTo((5 / 6 - pe) / (1 - pe), 10);
    const labelers = await api.ok<
      { labeler: string; labels: number; examples_per_session: number }[]
    >('GET', '/api/labeling/labelers?dataset=to-label');
    expect(labelers.map((l) => [l.labeler, l.labels, l.examples_per_session])).toEqual([
      ['ana', 6, 6],
      ['ben', 6, 6],
    ]);
  });

  it('serves the example the model is least sure of first when asked to', async () => {
    await api.ok('POST', '/api/datasets', { name: 'uncertain' });
    const clear = exception(
      'DELIVERY_DELAY',
      'Parcel is five days late and tracking has not moved since the depot.',
    );
    const murky = exception('OTHER', 'Something about the thing, please check.');
    // Two requests: examples added together are as old as each other (ties go by id).
    const add = (example: typeof clear) =>
      api.ok<{ examples: Ex[] }>('POST', '/api/datasets/uncertain/examples', {
        examples: [example],
      });
    const added = { examples: [...(await add(clear)).examples, ...(await add(murky)).examples] };
    const session = await api.ok<{ id: string }>('POST', '/api/labeling/sessions', {
      dataset: 'uncertain',
      session_type: 'validation',
    });
    const next = (order: string) =>
      api.ok<{ example: Ex; uncertainty: { measure: string; score: number } | null }>(
        'GET',
        `/api/labeling/sessions/${session.id}/next?order=${order}&measure=entropy`,
      );
    // Oldest first by default; the murky text first by uncertainty, with its score.
    expect((await next('created')).example.id).toBe(added.examples[0].id);
    const byDoubt = await next('uncertainty');
    expect(byDoubt.example.id).toBe(added.examples[1].id);
    expect(byDoubt.uncertainty).toMatchObject({ measure: 'entropy', score: expect.any(Number) });
    expect(byDoubt.uncertainty!.score).toBeGreaterThan(0);
    expect(byDoubt.uncertainty!.score).toBeLessThanOrEqual(1);
  });

  it('exports a tag in every format, and what is read back is what was committed', async () => {
    await api.ok('POST', '/api/datasets', { name: 'exported' });
    const sent = ['DELIVERY_DELAY', 'DAMAGED_ITEM', 'ADDRESS_ISSUE'].map((l) => exception(l));
    await api.ok('POST', '/api/datasets/exported/examples', { examples: sent });
    await api.ok('POST', '/api/datasets/exported/commits', { message: 'three' });
    await api.ok('POST', '/api/datasets/exported/tags', { name: 'v1', ref: 'main' });
    const committed = (
      await api.ok<{ examples: Ex[] }>('GET', '/api/datasets/exported/examples?ref=v1')
    ).examples;
    const byId = new Map(committed.map((e) => [e.id, e]));
    const dir = mkdtempSync(join(tmpdir(), 'ds-export-'));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      const download = async (format: string) => {
        const res = await fetch(
          `${api.service.url}/api/datasets/exported/export?format=${format}&ref=v1`,
          {
            headers: { 'x-api-key': api.tenant.apiKey },
          },
        );
        expect(res.status).toBe(200);
        const path = join(dir, `out.${format}`);
        writeFileSync(path, Buffer.from(await res.arrayBuffer()));
        return path;
      };
      const jsonl = await download('jsonl');
      const lines = (
        await duck.runAndReadAll(`SELECT input, output, metadata FROM read_json('${jsonl}')`)
      ).getRowObjectsJS();
      expect(lines).toHaveLength(3);
      const parquet = await download('parquet');
      const rows = (
        await duck.runAndReadAll(`SELECT example_id, input, output FROM '${parquet}'`)
      ).getRowObjectsJS();
      for (const row of rows) {
        const e = byId.get(String(row.example_id))!;
        expect(JSON.parse(String(row.input))).toEqual(e.input);
        expect(JSON.parse(String(row.output))).toEqual(e.output);
      }
      const csv = await download('csv');
      const csvRows = (
        await duck.runAndReadAll(`SELECT example_id, type FROM read_csv('${csv}')`)
      ).getRowObjectsJS();
      expect(new Set(csvRows.map((r) => String(r.example_id)))).toEqual(new Set(byId.keys()));
      for (const format of ['tfrecord', 'hf'])
        expect((await download(format)).length).toBeGreaterThan(0);
      const bad = await api.call('GET', '/api/datasets/exported/export?format=xlsx');
      expect(bad.status).toBe(400);
    } finally {
      duck.closeSync();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
