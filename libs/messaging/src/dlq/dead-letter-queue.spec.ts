import { subjectOf } from '@refinery/contracts';
import { deadLetterHeaders } from '../consumer/dead-letter';
import { deadLetterOf, DEAD_LETTER_REASONS } from './dead-letter-queue';
import {
  isReplayFor,
  REPLAY_HEADERS,
  replayHeaders,
  replayMsgId,
  replayOf,
} from './replay-headers';

const original = {
  subject: subjectOf('records.received', { tenant: 'acme', type: 'order' }),
  stream: 'RECORDS',
  sequence: 42,
  deliveryCount: 3,
  headers: {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    'Nats-Msg-Id': 'r-1:received',
  },
};
const header = deadLetterHeaders(original, {
  reason: 'retries_exhausted',
  detail: 'Error: analysis: HTTP 503: The model is overloaded',
  service: 'order-analysis',
  consumer: 'order-analysis-order',
});
const data = new TextEncoder().encode('{"id":"r-1:received"}');
const letter = deadLetterOf({
  seq: 7,
  subject: subjectOf('dlq', { service: 'order-analysis' }),
  data,
  time: new Date('2026-05-01T10:00:00Z'),
  header,
});

describe('a dead letter read back', () => {
  it('names the original message, the reason and the error apart', () => {
    expect(letter).toMatchObject({
      seq: 7,
      service: 'order-analysis',
      consumer: 'order-analysis-order',
      reason: 'retries_exhausted',
      error: 'Error: analysis: HTTP 503: The model is overloaded',
      subject: original.subject,
      stream: 'RECORDS',
      streamSeq: 42,
      deliveries: 3,
      msgId: 'r-1:received',
      replayOf: null,
    });
    expect(letter.deadLetteredAt.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(letter.headers.traceparent).toBe(original.headers.traceparent);
  });

  it('knows every reason a consumer gives', () => {
    expect(DEAD_LETTER_REASONS).toEqual([
      'retries_exhausted',
      'non_retryable',
      'schema_violation',
      'max_deliveries',
      'tenant_mismatch',
    ]);
  });
});

describe('a replay', () => {
  it('gets a message id of its own, derived from the original, and another when forced', () => {
    expect(replayMsgId(letter)).toBe('r-1:received:replay:7');
    expect(replayMsgId(letter, 2)).toBe('r-1:received:replay:7:2');
    expect(replayMsgId({ ...letter, msgId: null })).toBe('RECORDS:42:replay:7');
  });

  it('keeps the original headers but not the DLQ ones, and says what it replays for whom', () => {
    const hdrs = replayHeaders(letter.headers, letter);
    const plain = Object.fromEntries([...hdrs].map(([k, v]) => [k, v[0]]));
    expect(plain).toEqual({
      traceparent: original.headers.traceparent,
      [REPLAY_HEADERS.of]: '7',
      [REPLAY_HEADERS.service]: 'order-analysis',
    });
    expect(replayOf(plain)).toEqual({ dlqSeq: 7, service: 'order-analysis' });
    expect(isReplayFor(plain, 'order-analysis')).toBe(true);
    // Another consumer of the same subject sees the duplicate it is for it.
    expect(isReplayFor(plain, 'quality-monitor')).toBe(false);
  });

  it('replaces the marks of an earlier replay, and is read whatever the header case', () => {
    const again = replayHeaders(
      { ...letter.headers, 'Refinery-Replay': '3' },
      { seq: 9, service: 'classification' },
    );
    expect(again.get(REPLAY_HEADERS.of)).toBe('9');
    expect(replayOf({ 'refinery-replay': '9', 'refinery-replay-service': 'x' })).toEqual({
      dlqSeq: 9,
      service: 'x',
    });
    expect(replayOf({ 'Refinery-Replay': 'nine', 'Refinery-Replay-Service': 'x' })).toBeUndefined();
    expect(replayOf({})).toBeUndefined();
  });

  it('that fails again is dead-lettered with the mark of the replay', () => {
    const plain = Object.fromEntries(
      [...replayHeaders(letter.headers, letter)].map(([k, v]) => [k, v[0]]),
    );
    const hdrs = deadLetterHeaders(
      {
        ...original,
        sequence: 50,
        deliveryCount: 1,
        headers: { ...plain, 'Nats-Msg-Id': 'r-1:received:replay:7' },
      },
      { reason: 'non_retryable', detail: 'again', service: 'order-analysis', consumer: 'c' },
    );
    const second = deadLetterOf({
      seq: 8,
      subject: subjectOf('dlq', { service: 'order-analysis' }),
      data,
      time: new Date(),
      header: hdrs,
    });
    expect(second).toMatchObject({ replayOf: 7, msgId: 'r-1:received:replay:7', streamSeq: 50 });
  });
});
