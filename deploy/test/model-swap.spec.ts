import { createHash } from 'node:crypto';
import {
  generateDriftedExceptions,
  retrainLocalModel,
  serializeLocalModel,
  type SeedExample,
} from '@refinery/ai';
import { eventOf, type ModelPublishedSchema } from '@refinery/contracts';
import {
  pipelineEnv,
  startStageServices,
  stagesOf,
  type Completed,
  type StageServices,
} from '@refinery/enrichment/testing';
import {
  Bus,
  startServiceProcess,
  type ServiceProcess,
  type StoredMessage,
} from '@refinery/testing';
import type { z } from 'zod';

type Announcement = z.infer<typeof ModelPublishedSchema>;

/** Weights trained on corrections of drifted phrasing, as learning's registry announces them. */
function announcements(version: number, corrections: SeedExample[], tamper = false) {
  const model = retrainLocalModel({
    corrections: corrections.map((e) => ({ record: e.record, label: e.label, action: e.action })),
    version: `swap-test-${version}`,
  }).model;
  const bytes = serializeLocalModel(model);
  const hash = createHash('sha256').update(bytes).digest('hex');
  const artifact = (tamper ? Buffer.concat([bytes, Buffer.of(0)]) : bytes).toString('base64');
  const lineage = { dataset: 'golden', commit: hash, feature_space: 'test', code_revision: 'test' };
  return (['classification', 'resolution'] as const).map((name): Announcement => ({
    reason: 'promoted',
    name,
    version,
    model_version: `${name}@${version}`,
    artifact_hash: hash,
    lineage,
    artifact,
  }));
}

type Done = StoredMessage<Completed>;

const labelOf = (m: Done) => stagesOf(m.data).classification?.output?.ai_label;
const versionOf = (m: Done) => stagesOf(m.data).classification?.model_version;

/** Share of `ids` whose completed record got the true label. */
const accuracy = (completed: Done[], truth: Map<string, string>, ids: string[]) =>
  ids.filter((id) => labelOf(completed.find((c) => c.data.record_id === id)!) === truth.get(id))
    .length / ids.length;

/**
 * The three stages as processes; a model announced on `models.published` is served from the
 * next batch on, with no restart, and no record is lost or answered twice across the swap.
 */
describe('registry models hot-swapped into running stages', () => {
  let pipeline: StageServices;
  let bus: Bus;
  let restarted: ServiceProcess | undefined;
  const drifted = generateDriftedExceptions({ seed: 21, size: 600 });
  const corrections = generateDriftedExceptions({ seed: 5, size: 500 });
  const truth = new Map<string, string>();

  beforeAll(async () => {
    pipeline = await startStageServices();
    bus = await Bus.open();
  }, 60_000);
  afterAll(async () => {
    await restarted?.stop();
    await bus?.close();
    await pipeline?.close();
  });

  const send = async (examples: SeedExample[]) => {
    const events = await pipeline.receive(examples.map((e) => e.record));
    events.forEach((event, i) => truth.set(event.record_id, examples[i].label));
    return events.map((e) => e.record_id);
  };
  const announce = (models: Announcement[]) =>
    bus.publish(
      ...models.map((data) =>
        eventOf(
          'models.published',
          {
            id: `models.published:${pipeline.tenant}:${data.model_version}:${Date.now()}`,
            tenant: pipeline.tenant,
            occurred_at: new Date().toISOString(),
            record_id: null,
            data,
          },
          { model: data.name },
        ),
      ),
    );

  it('serves an announced model from the next batch on, completing every record once across the swap', async () => {
    const before = await send(drifted.slice(0, 100));
    let completed = await pipeline.waitForCompleted(100, 60_000);
    const shipped = completed.map(versionOf).filter(Boolean);
    expect(new Set(shipped).size).toBe(1);
    expect(shipped[0]).not.toMatch(/@/);

    // The announcement lands while 300 records are on their way through.
    const during = await send(drifted.slice(100, 250));
    await announce(announcements(7, corrections));
    during.push(...(await send(drifted.slice(250, 400))));
    completed = await pipeline.waitForCompleted(400, 90_000);
    const ids = completed.map((c) => c.data.record_id);
    expect(ids).toHaveLength(400);
    expect(new Set(ids).size).toBe(400);
    const versions = new Set(
      completed.filter((c) => during.includes(c.data.record_id!)).map(versionOf),
    );
    for (const v of versions) expect([shipped[0], 'classification@7', null]).toContain(v);

    const after = await send(drifted.slice(400, 500));
    completed = await pipeline.waitForCompleted(500, 60_000);
    const answered = completed.filter((c) => after.includes(c.data.record_id!));
    expect(new Set(answered.map(versionOf).filter(Boolean))).toEqual(new Set(['classification@7']));
    const resolution = answered
      .map((c) => stagesOf(c.data).resolution?.model_version)
      .filter(Boolean);
    expect(new Set(resolution)).toEqual(new Set(['resolution@7']));
    // Trained on corrections of the drifted phrasing, it labels drifted records better.
    expect(accuracy(completed, truth, after)).toBeGreaterThan(
      accuracy(completed, truth, before) + 0.15,
    );
  }, 240_000);

  it('a restarted stage answers with the last announced model from its first batch', async () => {
    const classification = pipeline.services.find((s) => s.name === 'classification')!;
    await classification.stop();
    restarted = await startServiceProcess('classification', pipelineEnv(pipeline.tenant, {}));
    const ids = await send(drifted.slice(500, 550));
    const completed = await pipeline.waitForCompleted(550, 60_000);
    const versions = completed.filter((c) => ids.includes(c.data.record_id!)).map(versionOf);
    expect(new Set(versions.filter(Boolean))).toEqual(new Set(['classification@7']));
  }, 120_000);
  it('refuses weights that do not match their hash and keeps serving the model it has', async () => {
    await announce(announcements(8, corrections.slice(0, 100), true));
    const ids = await send(drifted.slice(550, 600));
    const completed = await pipeline.waitForCompleted(600, 60_000);
    const versions = completed.filter((c) => ids.includes(c.data.record_id!)).map(versionOf);
    expect(new Set(versions.filter(Boolean))).toEqual(new Set(['classification@7']));
    const classification = restarted!;
    const metrics = await (await fetch(`${classification.url}/metrics`)).text();
    expect(metrics).toMatch(
      /refinery_enrichment_model_swaps_total\{stage="classification",outcome="rejected"[^}]*\} 1\n/,
    );
  }, 120_000);
});
