import { filterOf, subjectOf, type EventPayload } from '@refinery/contracts';
import { completionReply, errorReply, FakeOpenAiServer, waitFor } from '@refinery/testing';
import { analysisStage, classificationStage } from './support/test-stages';
import { exception, startPipeline, stagesOf, type Pipeline } from './support/pipeline';
import { scriptedLlm, SURE_ANSWERS } from './support/scripted-llm';

type Failed = EventPayload<'enrichment.failed'>;
type Escalated = EventPayload<'enrichment.escalated'>;
type Review = EventPayload<'review.requested'>;

/** DOWN-* fail order analysis while the outage lasts, DEAD-* always, UNSURE-* are unsure. */
function llm(server: FakeOpenAiServer, outage: { on: boolean }) {
  scriptedLlm(server, (task, order) => {
    if (
      task === 'analysis' &&
      (order.startsWith('DEAD') || (order.startsWith('DOWN') && outage.on))
    )
      return errorReply(503, 'The model is overloaded');
    if (task === 'classification' && order.startsWith('UNSURE'))
      return completionReply({ ...SURE_ANSWERS.classification, confidence: 0.41 });
    return undefined;
  });
}

describe('the quality monitor driving records again', () => {
  const outage = { on: true };
  let server: FakeOpenAiServer;
  let pipeline: Pipeline;

  beforeAll(async () => {
    server = await FakeOpenAiServer.start();
    llm(server, outage);
    pipeline = await startPipeline({
      llm: server,
      env: {
        ENRICHMENT_RETRY_SCHEDULE: '200ms',
        ENRICHMENT_REPROCESS_LIMIT: '1',
      },
    });
  });
  afterAll(async () => {
    await pipeline.close();
    await server.close();
  });

  const failedEvents = (stage = 'order-analysis') =>
    pipeline.stored<Failed>(
      'ENRICHMENT',
      subjectOf('enrichment.failed', { stage, tenant: pipeline.tenant }),
    );
  const escalations = () =>
    pipeline.stored<Escalated>(
      'ENRICHMENT',
      filterOf('enrichment.escalated', { tenant: pipeline.tenant }),
    );
  const reviews = () =>
    pipeline.stored<Review>('LEARNING', subjectOf('review.requested', { tenant: pipeline.tenant }));

  it('completes a FAILED record once the AI is back, exactly once', async () => {
    const [event] = await pipeline.receive([exception('DOWN-1')]);
    await waitFor(async () =>
      (await failedEvents()).some((m) => m.data.record_id === event.record_id),
    );

    outage.on = false;
    await pipeline.reprocess(analysisStage, event);
    const completed = await pipeline.waitForCompletedOf(event.record_id);

    const analysis = stagesOf(completed.data)['order-analysis'];
    expect(analysis).toMatchObject({ status: 'COMPLETED', retry_count: 1 });
    // The history of the outage stays with the record.
    expect(analysis?.errors).toEqual([
      expect.stringMatching(/^attempt 1: .*503/),
      expect.stringMatching(/^attempt 2: .*503/),
    ]);
    expect(stagesOf(completed.data).resolution?.status).toBe('COMPLETED');

    // A repeated request for a record already through finds nothing to do.
    await pipeline.reprocess(analysisStage, event);
    await new Promise((r) => setTimeout(r, 1_000));
    const copies = await pipeline.completedOf(event.record_id);
    expect(copies).toHaveLength(1);
    expect((await escalations()).map((m) => m.data.record_id)).not.toContain(event.record_id);
  });

  it('escalates a record still failing past its reprocess limit, once, with no output', async () => {
    const [event] = await pipeline.receive([exception('DEAD-1')]);
    const mine = async () =>
      (await failedEvents()).filter((m) => m.data.record_id === event.record_id);
    await waitFor(async () => (await mine()).length === 1);

    // The one attempt the limit allows fails again: a second failed event, still no output.
    await pipeline.reprocess(analysisStage, event);
    await waitFor(async () => (await mine()).length === 2);
    const row = await pipeline.stageRow(analysisStage, event.record_id!);
    expect(row).toMatchObject({ status: 'FAILED', output: null });
    expect(row?.errors.at(-1)).toMatch(/^reprocess 1: .*503/);

    // Past the limit the request escalates instead of calling the AI again.
    await pipeline.reprocess(analysisStage, event);
    await pipeline.reprocess(analysisStage, event);
    const escalated = await waitFor(async () =>
      (await escalations()).find((m) => m.data.record_id === event.record_id),
    );
    expect(escalated.data.data).toMatchObject({ stage: 'order-analysis', retry_count: 1 });
    expect(escalated.data.data.reason).toMatch(/^FAILED after 1 retries and 1 reprocess/);
    const review = await waitFor(async () =>
      (await reviews()).find((m) => m.data.record_id === event.record_id),
    );
    expect(review.data.data).toMatchObject({ stage: 'order-analysis', output: null });

    await new Promise((r) => setTimeout(r, 1_000));
    expect((await escalations()).filter((m) => m.data.record_id === event.record_id)).toHaveLength(
      1,
    );
    expect(await mine()).toHaveLength(2);
    expect(await pipeline.completedOf(event.record_id)).toHaveLength(0);
  });

  it('escalates an answer still unsure instead of completing the record again', async () => {
    const [event] = await pipeline.receive([exception('UNSURE-1')]);
    const completed = await pipeline.waitForCompletedOf(event.record_id);

    const analysed = { 'order-analysis': stagesOf(completed.data)['order-analysis']! };
    await pipeline.reprocess(classificationStage, event, analysed);
    const escalated = await waitFor(async () =>
      (await escalations()).find((m) => m.data.record_id === event.record_id),
    );
    expect(escalated.data.data.reason).toMatch(/still below confidence 0.7/);
    const asked = (await reviews()).filter((m) => m.data.record_id === event.record_id);
    expect(asked.map((m) => m.data.data.output?.ai_confidence)).toEqual([0.41, 0.41]);
    expect(await pipeline.completedOf(event.record_id)).toHaveLength(1);
  });
});
