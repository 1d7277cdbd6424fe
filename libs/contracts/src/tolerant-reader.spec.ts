import { readerOf, readerOfAll } from './tolerant-reader';

const envelope = (type: string, data: unknown) => ({
  id: 'e-1',
  tenant: 'acme',
  type,
  schema_version: 1,
  occurred_at: '2026-11-01T10:00:00Z',
  record_id: '0d7c8a52-6f3e-5a43-9a36-4c3e3a8d2b11',
  data,
});

describe('tolerant readers', () => {
  const retrying = readerOf('enrichment.retrying', { stage: true, retry_count: true });

  it('check the fields their mask names, as the contract has them, and pass the rest', () => {
    const event = envelope('enrichment.retrying', { stage: 'resolution', retry_count: 2, x: 1 });
    expect(retrying.parse(event)).toEqual(event);
    expect(retrying.safeParse({ ...event, data: { stage: 'other', retry_count: 2 } }).success).toBe(
      false,
    );
    expect(retrying.safeParse({ ...event, record_id: null }).success).toBe(false);
  });

  it('narrow optional fields and unions, and tell events apart by type', () => {
    const report = { status: true, retry_count: true } as const;
    const reader = readerOfAll(['enrichment.done', 'records.received'], {
      'enrichment.done': { stages: { classification: report } },
      'records.received': { record_type: true },
    });
    const done = envelope('enrichment.done', { stages: { resolution: 'unchecked' } });
    expect(reader.safeParse(done).success).toBe(true);
    const bad = envelope('enrichment.done', { stages: { classification: { status: 'DONE' } } });
    expect(reader.safeParse(bad).success).toBe(false);
    const received = envelope('records.received', { record_type: 'order' });
    expect(reader.safeParse(received).success).toBe(true);
    expect(reader.safeParse({ ...received, data: { record_type: 'invoice' } }).success).toBe(false);
  });

  it('refuse a mask naming a field the contract does not have', () => {
    expect(() => readerOf('enrichment.retrying', { attempts: true })).toThrow(
      'enrichment.retrying.data.attempts is not in the contract',
    );
  });
});
