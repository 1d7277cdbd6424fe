import { TenantCheck } from './tenant-check';

describe('TenantCheck', () => {
  const received = new TenantCheck('records.received.*.*');

  it('passes a payload of the tenant its subject names', () => {
    expect(received.mismatch('records.received.acme.order', { tenant: 'acme' })).toBeUndefined();
  });

  it('names both tenants when they differ', () => {
    expect(received.mismatch('records.received.acme.order', { tenant: 'globex' })).toEqual({
      subject: 'acme',
      payload: 'globex',
    });
    expect(received.mismatch('records.received.acme.order', { tenant: 7 })).toEqual({
      subject: 'acme',
      payload: '7',
    });
  });

  it('leaves alone payloads without a tenant and subjects without one', () => {
    expect(received.mismatch('records.received.acme.order', { id: 1 })).toBeUndefined();
    expect(received.mismatch('records.received.acme.order', 'text')).toBeUndefined();
    expect(new TenantCheck('dlq.*').mismatch('dlq.x', { tenant: 'acme' })).toBeUndefined();
    expect(new TenantCheck('t_1.>').mismatch('t_1.a.b', { tenant: 'acme' })).toBeUndefined();
  });

  it('finds the tenant token of whichever event a wide filter delivers', () => {
    const stages = new TenantCheck('enrichment.*.*.*');
    expect(stages.mismatch('enrichment.classification.done.acme', { tenant: 'acme' })).toBe(
      undefined,
    );
    expect(stages.mismatch('enrichment.reprocess.resolution.acme', { tenant: 'globex' })).toEqual({
      subject: 'acme',
      payload: 'globex',
    });
    const ingest = new TenantCheck('ingest.>');
    expect(ingest.mismatch('ingest.rejected.acme', { tenant: 'acme' })).toBeUndefined();
    expect(ingest.mismatch('ingest.acme.order', { tenant: 'globex' })).toEqual({
      subject: 'acme',
      payload: 'globex',
    });
  });
});
