/**
 * `npm run bench:loop`: the closed loop measured end to end, on a database of its own
 * (refinery_bench_loop, made afresh) and a nats-server of its own, every service a process.
 * Progress goes to stderr; the last line on stdout is one JSON object.
 *
 *  1. Before: an original slice (seed-set exceptions) and a drifted slice (the same cases in
 *     phrasing the shipped model never saw, datagen's generateDriftedExceptions, true labels)
 *     go through ingestion and the three stages; classification accuracy of each.
 *  2. A pool of other drifted records goes through too. A simulated reviewer works the review
 *     console's queue (GET /api/review/queue, low confidence first in), correcting records of
 *     the pool through POST /api/feedback/correction with the true label and action, wrong
 *     BENCH_REVIEWER_ERROR (0.05) of the time, until BENCH_CORRECTIONS (500).
 *  3. A curator commits the candidates dataset-versioning staged and merges them into main;
 *     the commit retrains the models in learning, which promotes and announces them, and the
 *     stages swap them in. Background traffic flows the whole time: each record of it must
 *     complete exactly once.
 *  4. After: both slices again (as new records); accuracy of each, the served model's version
 *     and its lineage back to the dataset commit.
 */
import { randomUUID } from 'node:crypto';
import {
  AI_LABELS,
  generateDriftedExceptions,
  generateSeedSet,
  type SeedExample,
} from '@refinery/ai';
import { filterOf, STREAMS, type EventPayload } from '@refinery/contracts';
import {
  apiOk,
  benchLog as log,
  freshServicesDatabase,
  machine,
  startNatsServer,
  startServiceProcess,
  storedMessages,
  TestTenants,
  type ServiceProcess,
} from '@refinery/testing';
import { connect } from '@nats-io/transport-node';

const DATABASE = 'refinery_bench_loop';
const CORRECTIONS = Number(process.env.BENCH_CORRECTIONS ?? 500);
const REVIEWER_ERROR = Number(process.env.BENCH_REVIEWER_ERROR ?? 0.05);
const SLICE = Number(process.env.BENCH_SLICE ?? 1000);
const POOL = Number(process.env.BENCH_POOL ?? CORRECTIONS * 3);
const TRAFFIC_PER_S = Number(process.env.BENCH_TRAFFIC_PER_S ?? 50);
const TARGETS = { drifted_gain: 0.15, original_drop: 0.01, swap_seconds: 60 };

type Completed = EventPayload<'enrichment.completed'>;

interface Sent {
  externalId: string;
  example: SeedExample;
}

async function main() {
  log(`${CORRECTIONS} corrections, slices of ${SLICE}, reviewer error ${REVIEWER_ERROR}`);
  await freshServicesDatabase(DATABASE);
  const nats = await startNatsServer();
  process.env.DATABASE_NAME = DATABASE;
  const tenants = await TestTenants.open();
  const tenant = await tenants.create({ prefix: 'loop', rateLimitPerS: 100_000 });
  const operator = TestTenants.operatorKey();
  const env = {
    DATABASE_NAME: DATABASE,
    NATS_URL: nats.url,
    REFINERY_ADMIN_API_KEY: operator,
    LOG_LEVEL: 'warn',
  };
  const services: ServiceProcess[] = [];
  const start = async (name: string, own: Record<string, string> = {}) => {
    const service = await startServiceProcess(name, { ...env, ...own }, 60_000);
    services.push(service);
    return service;
  };
  const nc = await connect({ servers: nats.url });
  try {
    const ingestion = await start('ingestion');
    for (const stage of ['order-analysis', 'classification', 'resolution']) await start(stage);
    const datasets = await start('dataset-versioning');
    const learning = await start('learning', {
      DATASETS_URL: datasets.url,
      LEARNING_RETRAIN_MIN_CORRECTED: String(Math.floor(CORRECTIONS / 2)),
      LEARNING_APPLY_INTERVAL: '1s',
    });

    const call = <T>(base: string, method: string, path: string, body?: unknown) =>
      apiOk<T>(base, tenant.apiKey, method, path, body);

    const sent = new Map<string, Sent>();
    const send = async (examples: SeedExample[]) => {
      const batch: Sent[] = examples.map((example) => ({
        externalId: `loop-${randomUUID()}`,
        example,
      }));
      for (let i = 0; i < batch.length; i += 500) {
        const events = batch.slice(i, i + 500).map(({ externalId, example }) => {
          sent.set(externalId, { externalId, example });
          return {
            type: example.record.recordType,
            source: 'bench-loop',
            external_id: externalId,
            occurred_at: new Date().toISOString(),
            data: example.record.payload,
          };
        });
        await call(ingestion.url, 'POST', '/v1/events', { events });
      }
      return batch.map((b) => b.externalId);
    };
    const completedFilter = filterOf('enrichment.completed', { tenant: tenant.slug });
    const completed = async () =>
      (await storedMessages<Completed>(nc, STREAMS.ENRICHMENT.name, completedFilter)).map(
        (m) => m.data,
      );
    const waitCompleted = async (ids: readonly string[], what: string) => {
      const want = new Set(ids);
      const started = Date.now();
      for (;;) {
        const done = (await completed()).filter((c) => want.has(c.data.input.external_id));
        const distinct = new Set(done.map((c) => c.data.input.external_id));
        if (distinct.size >= want.size) return done;
        if (Date.now() - started > 600_000)
          throw new Error(`${what}: ${distinct.size} of ${want.size} completed after 10 minutes`);
        await new Promise((r) => setTimeout(r, 500));
      }
    };
    const accuracy = (done: Completed[]) =>
      done.filter(
        (c) =>
          c.data.stages.classification.output?.ai_label ===
          sent.get(c.data.input.external_id)!.example.label,
      ).length / done.length;
    const round = (n: number) => Math.round(n * 10_000) / 10_000;

    const original = generateSeedSet({ seed: 4242, size: Math.ceil(SLICE * 1.8), labelNoise: 0 })
      .filter((e) => e.record.recordType === 'exception')
      .slice(0, SLICE);
    const drifted = generateDriftedExceptions({ seed: 1001, size: SLICE });
    const pool = generateDriftedExceptions({ seed: 2002, size: POOL });

    // 1. Before. The pool goes first: the review queue lists the longest waiting first.
    const poolIds = await send(pool);
    const [origIds, driftIds] = [await send(original), await send(drifted)];
    const beforeOrig = await waitCompleted(origIds, 'original slice');
    const beforeDrift = await waitCompleted(driftIds, 'drifted slice');
    const poolDone = await waitCompleted(poolIds, 'review pool');
    const versionOf = (c: Completed) => c.data.stages.classification.model_version;
    const shipped = [...beforeOrig, ...beforeDrift].map(versionOf).find((v) => v !== null);
    log(
      `before: original ${round(accuracy(beforeOrig))}, drifted ${round(accuracy(beforeDrift))} (${shipped})`,
    );

    // Background traffic from here to the end: every record must complete exactly once.
    const traffic: string[] = [];
    let flowing = true;
    const background = (async () => {
      let n = 0;
      while (flowing) {
        const examples = generateDriftedExceptions({ seed: 9000 + n++, size: TRAFFIC_PER_S / 5 });
        traffic.push(...(await send(examples)));
        await new Promise((r) => setTimeout(r, 200));
      }
    })();

    // 2. The reviewer.
    const recordOf = new Map(poolDone.map((c) => [c.record_id!, c.data.input.external_id]));
    const corrected = new Set<string>();
    let wrong = 0;
    let fromQueue = 0;
    const correct = async (recordId: string) => {
      const truth = sent.get(recordOf.get(recordId)!)!.example;
      const mistaken = Math.random() < REVIEWER_ERROR;
      if (mistaken) wrong++;
      const others = AI_LABELS.filter((l) => l !== truth.label);
      const label = mistaken ? others[Math.floor(Math.random() * others.length)] : truth.label;
      await call(learning.url, 'POST', '/api/feedback/correction', {
        record_id: recordId,
        corrected_answer: { label, action: truth.action },
        priority: 'urgent',
      });
      corrected.add(recordId);
    };
    while (corrected.size < CORRECTIONS) {
      const { items } = await call<{ items: { record_id: string }[] }>(
        learning.url,
        'GET',
        '/api/review/queue?limit=200',
      );
      const mine = items.filter((i) => recordOf.has(i.record_id) && !corrected.has(i.record_id));
      if (mine.length === 0) break;
      for (const item of mine.slice(0, CORRECTIONS - corrected.size)) {
        await correct(item.record_id);
        fromQueue++;
      }
    }
    // The queue holds only doubtful answers; past those the reviewer goes on with the least sure.
    const rest = [...poolDone]
      .filter((c) => !corrected.has(c.record_id!))
      .sort(
        (a, b) =>
          (a.data.stages.classification.output?.ai_confidence ?? 0) -
          (b.data.stages.classification.output?.ai_confidence ?? 0),
      );
    for (const c of rest.slice(0, CORRECTIONS - corrected.size)) await correct(c.record_id!);
    const lastCorrection = Date.now();
    log(`${corrected.size} corrections (${fromQueue} from the review queue, ${wrong} wrong)`);

    // 3. The curator: what the corrections staged on candidates goes to main.
    const ds = '/api/datasets/golden';
    // Candidates arrive event by event: the curator waits until none came for 3 s.
    let staged = 0;
    const giveUp = Date.now() + 300_000;
    for (let quiet = 0; quiet < 6 || staged === 0;) {
      if (Date.now() > giveUp) throw new Error('no candidates were staged within 5 minutes');
      const page = await call<{ examples: unknown[] }>(
        datasets.url,
        'GET',
        `${ds}/examples?branch=candidates&limit=10000`,
      ).catch(() => ({ examples: [] }));
      quiet = page.examples.length === staged ? quiet + 1 : 0;
      staged = page.examples.length;
      await new Promise((r) => setTimeout(r, 500));
    }
    const commit = await call<{ hash: string }>(datasets.url, 'POST', `${ds}/commits`, {
      message: `${corrected.size} reviewed corrections`,
      branch: 'candidates',
    });
    const merged = await call<{ head: string }>(datasets.url, 'POST', `${ds}/merge`, {
      from: 'candidates',
      into: 'main',
      fast_forward: false,
    });
    log(
      `curator: ${staged} examples committed (${commit.hash.slice(0, 12)}), merged as ${merged.head.slice(0, 12)}`,
    );

    // The new model serves once a record sent now is answered by it.
    let served: string | undefined;
    let swapSeconds = NaN;
    for (const deadline = Date.now() + 300_000; Date.now() < deadline;) {
      const probe = await send(drifted.slice(0, 1));
      const [done] = await waitCompleted(probe, 'probe');
      const version = versionOf(done);
      if (version && version !== shipped) {
        served = version;
        swapSeconds = (Date.now() - lastCorrection) / 1000;
        break;
      }
      await new Promise((r) => setTimeout(r, 250));
    }
    if (!served) throw new Error('no new model served within 5 minutes of the merge');
    log(`serving ${served}, ${swapSeconds.toFixed(1)} s after the last correction`);

    // 4. After.
    const [origAfter, driftAfter] = [await send(original), await send(drifted)];
    const afterOrig = await waitCompleted(origAfter, 'original slice again');
    const afterDrift = await waitCompleted(driftAfter, 'drifted slice again');
    flowing = false;
    await background;
    const trafficDone = await waitCompleted(traffic, 'background traffic');
    const counts = new Map<string, number>();
    for (const c of trafficDone)
      counts.set(c.data.input.external_id, (counts.get(c.data.input.external_id) ?? 0) + 1);
    const duplicates = [...counts.values()].reduce((sum, n) => sum + n - 1, 0);
    const lost = traffic.length - counts.size;
    // Of the records classified at all: one with no problem found names no version.
    const stale = [...afterDrift, ...afterOrig].filter(
      (c) => versionOf(c) !== null && versionOf(c) !== served,
    ).length;

    const [name, version] = served.split('@');
    const model = await call<{ lineage: { dataset: string; commit: string } }>(
      learning.url,
      'GET',
      `/api/models/${name}/${version}`,
    );
    const result = {
      corrections: corrected.size,
      reviewer_errors: wrong,
      corrections_from_queue: fromQueue,
      examples_committed: staged,
      drifted_accuracy_before: round(accuracy(beforeDrift)),
      drifted_accuracy_after: round(accuracy(afterDrift)),
      original_accuracy_before: round(accuracy(beforeOrig)),
      original_accuracy_after: round(accuracy(afterOrig)),
      swap_seconds: Math.round(swapSeconds * 10) / 10,
      lost,
      duplicates,
      traffic_records: traffic.length,
      answered_by_older_model_after_swap: stale,
      model_version: served,
      shipped_model_version: shipped,
      dataset: model.lineage.dataset,
      dataset_commit: model.lineage.commit,
      targets: TARGETS,
      met: {
        drifted_gain: accuracy(afterDrift) - accuracy(beforeDrift) >= TARGETS.drifted_gain,
        original_drop: accuracy(beforeOrig) - accuracy(afterOrig) <= TARGETS.original_drop,
        swap_seconds: swapSeconds < TARGETS.swap_seconds,
        lost: lost === 0,
        duplicates: duplicates === 0,
      },
      machine: machine(),
    };
    console.log(JSON.stringify(result));
  } finally {
    await nc.close();
    for (const service of services.reverse()) await service.stop();
    await tenants.close();
    await nats.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
