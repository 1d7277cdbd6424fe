import { EVENTS } from './events';
import { eventOf } from './outgoing-event';

const input = {
  record_type: 'exception' as const,
  source: 'shop-eu',
  external_id: 'x-1',
  received_at: '2026-11-01T10:00:00Z',
  payload: { order_number: 'A-1', description: 'The parcel never arrived.' },
};
const recordId = '0d7c8a52-6f3e-5a43-9a36-4c3e3a8d2b11';

describe('eventOf', () => {
  it('builds the envelope, subject and message id of an event from its name and data', () => {
    const event = eventOf(
      'enrichment.reprocess',
      {
        id: `${recordId}:classification:reprocess:1`,
        tenant: 'acme',
        occurred_at: '2026-11-01T10:00:01Z',
        record_id: recordId,
        data: { stage: 'classification', input, stages: {}, reason: 'stuck' },
      },
      { stage: 'classification' },
    );
    expect(event.subject).toBe('enrichment.reprocess.classification.acme');
    expect(event.msgId).toBe(`${recordId}:classification:reprocess:1`);
    expect(event.payload).toMatchObject({
      id: event.msgId,
      type: 'enrichment.reprocess',
      schema_version: 1,
    });
    expect(EVENTS['enrichment.reprocess'].schema.safeParse(event.payload).success).toBe(true);
  });

  it("takes the subject's tenant from the envelope unless told another", () => {
    const rejected = (subjectTenant?: string) =>
      eventOf(
        'ingest.rejected',
        {
          id: 'r-1:rejected',
          tenant: 'not a slug',
          occurred_at: '2026-11-01T10:00:00Z',
          record_id: null,
          data: { subject: 's', reason: 'r', errors: [], payload: '', rejection_id: recordId },
        },
        subjectTenant === undefined ? undefined : { tenant: subjectTenant },
      );
    expect(rejected('_').subject).toBe('ingest.rejected._');
    expect(rejected('_').payload.tenant).toBe('not a slug');
    expect(() => rejected()).toThrow(/tenant/);
  });
});
