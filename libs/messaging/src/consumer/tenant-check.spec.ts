import { filterOf, filterOfAll, STAGE_EVENTS, STREAMS, subjectOf } from '@refinery/contracts';
import { TenantCheck } from './tenant-check';

describe('TenantCheck', () => {
  const received = new TenantCheck(filterOf('records.received'));
  const acmeOrder = subjectOf('records.received', { tenant: 'acme', type: 'order' });

  it('passes a payload of the tenant its subject names', () => {
    expect(received.mismatch(acmeOrder, { tenant: 'acme' })).toBeUndefined();
  });

  it('names both tenants when they differ', () => {
    expect(received.mismatch(acmeOrder, { tenant: 'globex' })).toEqual({
      subject: 'acme',
      payload: 'globex',
    });
    expect(received.mismatch(acmeOrder, { tenant: 7 })).toEqual({
      subject: 'acme',
      payload: '7',
    });
  });

  it('leaves alone payloads without a tenant and subjects without one', () => {
    expect(received.mismatch(acmeOrder, { id: 1 })).toBeUndefined();
    expect(received.mismatch(acmeOrder, 'text')).toBeUndefined();
    const dlq = subjectOf('dlq', { service: 'x' });
    expect(new TenantCheck(filterOf('dlq')).mismatch(dlq, { tenant: 'acme' })).toBeUndefined();
    expect(new TenantCheck('t_1.>').mismatch('t_1.a.b', { tenant: 'acme' })).toBeUndefined();
  });

  it('finds the tenant token of whichever event a wide filter delivers', () => {
    const stages = new TenantCheck(filterOfAll(STAGE_EVENTS));
    const done = subjectOf('enrichment.done', { stage: 'classification', tenant: 'acme' });
    expect(stages.mismatch(done, { tenant: 'acme' })).toBe(undefined);
    const reprocess = subjectOf('enrichment.reprocess', { stage: 'resolution', tenant: 'acme' });
    expect(stages.mismatch(reprocess, { tenant: 'globex' })).toEqual({
      subject: 'acme',
      payload: 'globex',
    });
    const ingest = new TenantCheck(STREAMS.INGEST.subjects[0]);
    const rejected = subjectOf('ingest.rejected', { tenant: 'acme' });
    expect(ingest.mismatch(rejected, { tenant: 'acme' })).toBeUndefined();
    const sent = subjectOf('ingest', { tenant: 'acme', type: 'order' });
    expect(ingest.mismatch(sent, { tenant: 'globex' })).toEqual({
      subject: 'acme',
      payload: 'globex',
    });
  });
});
