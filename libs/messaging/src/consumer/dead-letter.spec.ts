import { subjectOf } from '@refinery/contracts';
import { DLQ_HEADERS, deadLetterHeaders, deadLetterMsgId } from './dead-letter';

const message = {
  subject: subjectOf('records.received', { tenant: 'acme', type: 'order' }),
  stream: 'RECORDS',
  sequence: 42,
  deliveryCount: 6,
  headers: {
    traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    'Nats-Msg-Id': 'r-1:received',
    'X-Tenant': 'acme',
  },
};

describe('dead-letter headers', () => {
  const hdrs = deadLetterHeaders(message, {
    reason: 'retries_exhausted',
    detail: 'Error: model timed out\n    at classify',
    service: 'classification',
    consumer: 'classify-records',
  });

  it('say where the message came from, how often it was tried and why it was given up', () => {
    expect(hdrs.get(DLQ_HEADERS.subject)).toBe(message.subject);
    expect(hdrs.get(DLQ_HEADERS.stream)).toBe('RECORDS');
    expect(hdrs.get(DLQ_HEADERS.sequence)).toBe('42');
    expect(hdrs.get(DLQ_HEADERS.deliveries)).toBe('6');
    expect(hdrs.get(DLQ_HEADERS.service)).toBe('classification');
    expect(hdrs.get(DLQ_HEADERS.consumer)).toBe('classify-records');
    expect(hdrs.get(DLQ_HEADERS.reason)).toBe(
      'retries_exhausted: Error: model timed out at classify',
    );
  });

  it('keep the trace and custom headers but not the original msg id', () => {
    expect(hdrs.get('traceparent')).toBe(message.headers.traceparent);
    expect(hdrs.get('X-Tenant')).toBe('acme');
    expect(hdrs.has('Nats-Msg-Id')).toBe(false);
  });

  it('dedupe per message and consumer', () => {
    expect(deadLetterMsgId('RECORDS', 42, 'classify-records')).toBe('RECORDS:42:classify-records');
  });
});
