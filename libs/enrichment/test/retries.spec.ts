import { subjectOf, type EventPayload } from '@refinery/contracts';
import { completionReply, errorReply, FakeOpenAiServer, waitFor } from '@refinery/testing';
import { analysisStage, classificationStage } from './support/test-stages';
import { exception, startPipeline, stagesOf, type Pipeline } from './support/pipeline';
import { scriptedLlm, SURE_ANSWERS } from './support/scripted-llm';

/**
 * An LLM behind the chat-completions protocol whose answers depend on the record's order
 * number: FLAKY-* fail twice and then answer, BROKEN-* never answer order analysis, UNSURE-*
 * are always classified with low confidence.
 */
function llm(server: FakeOpenAiServer) {
  return scriptedLlm(server, (task, order, n) => {
    if (task === 'analysis' && order.startsWith('BROKEN'))
      return errorReply(503, 'The model is overloaded');
    if (task === 'analysis' && order.startsWith('FLAKY') && n <= 2)
      return errorReply(500, 'Internal error');
    if (task === 'classification' && order.startsWith('UNSURE'))
      return completionReply({ ...SURE_ANSWERS.classification, confidence: 0.41 });
    return undefined;
  });
}

describe('enrichment with an LLM that fails', () => {
  let server: FakeOpenAiServer;
  let pipeline: Pipeline;
  let calls: Map<string, number>;

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
    calls = llm(server);
    pipeline = await startPipeline({ llm: server });
  });
  afterAll(async () => {
    await pipeline.close();
    await server.close();
  });

  it('retries a failed AI call on the schedule and completes the record with its history', async () => {
    const [event] = await pipeline.receive([exception('FLAKY-1')]);
    const [completed] = await pipeline.waitForCompleted(1);

    expect(completed.data.record_id).toBe(event.record_id);
    const analysis = stagesOf(completed.data)['order-analysis'];
    expect(analysis).toMatchObject({ status: 'COMPLETED', retry_count: 2 });
    expect(analysis?.output?.problems).toEqual([{ code: 'LATE_SHIPMENT', confidence: 0.9 }]);
    expect(analysis?.errors).toEqual([
      expect.stringMatching(/^attempt 1: .*500/),
      expect.stringMatching(/^attempt 2: .*500/),
    ]);
    expect(calls.get('analysis:FLAKY-1')).toBe(3);
    expect(stagesOf(completed.data).resolution?.status).toBe('COMPLETED');

    // Each failed attempt was announced while the record waited for its retry.
    const retrying = await pipeline.stored<EventPayload<'enrichment.retrying'>>(
      'ENRICHMENT',
      subjectOf('enrichment.retrying', { stage: 'order-analysis', tenant: pipeline.tenant }),
    );
    expect(
      retrying.map((m) => [m.data.record_id, m.data.data.attempt, m.data.data.retry_count]),
    ).toEqual([
      [event.record_id, 1, 1],
      [event.record_id, 2, 2],
    ]);
  });

  it('marks a record FAILED with no output after the last retry, publishes enrichment.failed and dead-letters it', async () => {
    const [event] = await pipeline.receive([exception('BROKEN-1')]);
    const failedSubject = subjectOf('enrichment.failed', {
      stage: 'order-analysis',
      tenant: pipeline.tenant,
    });
    type Failed = EventPayload<'enrichment.failed'>;
    const failed = await waitFor(
      async () => (await pipeline.stored<Failed>('ENRICHMENT', failedSubject))[0],
    );

    expect(failed.data.record_id).toBe(event.record_id);
    expect(failed.data.data.reason).toMatch(/503/);
    const row = await pipeline.stageRow(analysisStage, event.record_id!);
    expect(row).toMatchObject({ status: 'FAILED', output: null, retry_count: 2, published: true });
    expect(row?.errors).toHaveLength(3);
    // One attempt per scheduled delay plus the first, and no default answer in between.
    expect(calls.get('analysis:BROKEN-1')).toBe(3);

    const letter = await waitFor(async () =>
      (await pipeline.stored<unknown>('DLQ', subjectOf('dlq', { service: 'order-analysis' }))).find(
        (m) => m.headers['Refinery-Dlq-Subject']?.includes(pipeline.tenant),
      ),
    );
    expect(letter.headers['Refinery-Dlq-Reason']).toMatch(/^retries_exhausted: .*503/);
    expect(await pipeline.completedOf(event.record_id)).toHaveLength(0);
  });

  it('asks again when classification is unsure, then completes without resolution and asks for review', async () => {
    const [event] = await pipeline.receive([exception('UNSURE-1')]);
    const completed = await pipeline.waitForCompletedOf(event.record_id);

    const stages = stagesOf(completed.data);
    expect(stages.classification).toMatchObject({
      status: 'COMPLETED',
      retry_count: 2,
      output: { ai_label: 'DELIVERY_DELAY', ai_confidence: 0.41 },
    });
    expect(calls.get('classification:UNSURE-1')).toBe(3);
    expect(stages.resolution).toMatchObject({ status: 'SKIPPED', output: null });
    expect(stages.resolution?.skip_reason).toMatch(/0\.41 is below 0\.7/);

    const reviews = await pipeline.stored<EventPayload<'review.requested'>>(
      'LEARNING',
      subjectOf('review.requested', { tenant: pipeline.tenant }),
    );
    expect(reviews.map((m) => m.data.record_id)).toEqual([event.record_id]);
    expect(await pipeline.stageRow(classificationStage, event.record_id!)).toMatchObject({
      status: 'COMPLETED',
    });
  });
});
