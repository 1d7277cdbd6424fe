import { nextStage, type Timing } from './reprocess-decision';
import type { Candidate } from './reprocess.repository';

const HOUR = 3_600_000;
const now = Date.parse('2026-01-02T00:00:00Z');
const timing: Timing = {
  now,
  stuckAfterMs: 6 * HOUR,
  unsureAfterMs: 24 * HOUR,
  minConfidence: 0.7,
};
const ago = (ms: number) => new Date(now - ms);

const candidate = (
  stages: Candidate['stages'],
  receivedAgo = 30 * HOUR,
  escalated: string[] = [],
): Candidate => ({
  record_id: 'r1',
  input_seq: 1,
  input: null,
  requests: 0,
  received_at: ago(receivedAgo),
  stages,
  escalated,
});
const done = (at: Date, confidence: number | null = null) => ({
  status: 'COMPLETED',
  at,
  confidence,
  input_seq: null,
  output_seq: null,
  report: null,
});

describe('nextStage', () => {
  it('drives a FAILED stage again at once', () => {
    const c = candidate({ 'order-analysis': { ...done(ago(HOUR)), status: 'FAILED' } });
    expect(nextStage(c, timing)).toEqual({ stage: 'order-analysis', reason: 'failed' });
  });

  it('calls a stage stuck once it, or the hand-over to it, waited longer than stuck_after', () => {
    expect(nextStage(candidate({}, 7 * HOUR), timing)).toEqual({
      stage: 'order-analysis',
      reason: 'stuck',
    });
    expect(nextStage(candidate({}, 5 * HOUR), timing)).toBeUndefined();
    const pending = { ...done(ago(7 * HOUR)), status: 'PENDING' };
    expect(nextStage(candidate({ 'order-analysis': pending }), timing)?.reason).toBe('stuck');
    const handedOver = candidate({ 'order-analysis': done(ago(7 * HOUR)) });
    expect(nextStage(handedOver, timing)).toEqual({ stage: 'classification', reason: 'stuck' });
  });

  it('asks again for an unsure classification nobody labelled in time', () => {
    const stages = (classifiedAgo: number) => ({
      'order-analysis': done(ago(40 * HOUR)),
      classification: done(ago(classifiedAgo), 0.4),
      resolution: { ...done(ago(classifiedAgo)), status: 'SKIPPED' },
    });
    expect(nextStage(candidate(stages(25 * HOUR), 48 * HOUR), timing)).toEqual({
      stage: 'classification',
      reason: 'unsure',
    });
    expect(nextStage(candidate(stages(HOUR), 48 * HOUR), timing)).toBeUndefined();
  });

  it('leaves a stage a person already has to them', () => {
    const c = candidate({ 'order-analysis': { ...done(ago(HOUR)), status: 'FAILED' } }, 30 * HOUR, [
      'order-analysis',
    ]);
    expect(nextStage(c, timing)).toBeUndefined();
  });
});
