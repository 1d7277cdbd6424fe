import {
  EVENTS,
  filterOf,
  filterOfAll,
  paramsOf,
  STAGE_EVENTS,
  subjectOf,
  tenantFilters,
  type EventName,
} from './events';
import { exampleOrder as order } from './records/example-order.spec-fixture';
import { IncomingEventSchema, TenantSlugSchema } from './records/record-types';
import { STREAMS } from './streams';
import { validate } from './validation';

describe('record validation', () => {
  it('accepts a valid order and keeps fields it does not know', () => {
    const result = validate(IncomingEventSchema, {
      ...order,
      data: { ...order.data, gift_wrap: true },
    });
    expect(result).toMatchObject({ ok: true, value: { data: { gift_wrap: true } } });
  });

  it('names every bad field by its path', () => {
    const bad = {
      ...order,
      occurred_at: 'yesterday',
      data: { ...order.data, currency: 'euro', items: [{ sku: '', quantity: 0, unit_price: 1 }] },
    };
    const result = validate(IncomingEventSchema, bad, 'events[2]');
    expect(result.ok).toBe(false);
    const paths = result.ok ? [] : result.errors.map((e) => e.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        'events[2].occurred_at',
        'events[2].data.currency',
        'events[2].data.items[0].sku',
        'events[2].data.items[0].quantity',
      ]),
    );
  });

  it('rejects an unknown record type by naming the type field', () => {
    const result = validate(IncomingEventSchema, { ...order, type: 'invoice' });
    expect(result.ok ? [] : result.errors.map((e) => e.path)).toEqual(['type']);
  });

  it('reserves the tenant slug used by the rejection subject', () => {
    expect(TenantSlugSchema.safeParse('rejected').success).toBe(false);
    expect(TenantSlugSchema.safeParse('acme').success).toBe(true);
  });
});

describe('subjects', () => {
  it('fills, filters and parses subject templates', () => {
    expect(subjectOf('records.received', { tenant: 'acme', type: 'order' })).toBe(
      'records.received.acme.order',
    );
    expect(filterOf('records.received')).toBe('records.received.*.*');
    expect(filterOf('ingest.rejected', { tenant: 'acme' })).toBe('ingest.rejected.acme');
    expect(paramsOf('records.received', 'records.received.acme.exception')).toEqual({
      tenant: 'acme',
      type: 'exception',
    });
    expect(paramsOf('records.received', 'records.other.acme.exception')).toBeUndefined();
  });

  it('gives behavioural events subjects of their own, which no records.received filter matches', () => {
    expect(subjectOf('records.behavior', { tenant: 'acme', kind: 'track' })).toBe(
      'records.behavior.acme.track',
    );
    expect(paramsOf('records.behavior', 'records.behavior.acme.identify')).toEqual({
      tenant: 'acme',
      kind: 'identify',
    });
    expect(paramsOf('records.received', 'records.behavior.acme.track')).toBeUndefined();
    expect(filterOf('records.received')).toBe('records.received.*.*');
    expect(EVENTS['records.behavior'].stream).toBe('RECORDS');
  });

  it('refuses a parameter that is not a single subject token', () => {
    expect(() => subjectOf('records.received', { tenant: 'a.b', type: 'order' })).toThrow(/tenant/);
  });

  it('reads every stage event of a tenant, and the batch reports, through one filter', () => {
    expect(filterOfAll(STAGE_EVENTS, { tenant: 'acme' })).toBe('enrichment.*.*.acme');
    const filter = filterOfAll(STAGE_EVENTS).split('.');
    const matched = (Object.keys(EVENTS) as EventName[]).filter((name) => {
      const template = EVENTS[name].subject.split('.');
      return (
        EVENTS[name].stream === 'ENRICHMENT' &&
        template.length === filter.length &&
        template.every((t, i) => filter[i] === '*' || t.startsWith('{') || t === filter[i])
      );
    });
    expect(matched.sort()).toEqual([...STAGE_EVENTS, 'enrichment.batch'].sort());
  });

  it('refuses one filter where a fixed token would match other subjects too', () => {
    expect(() => filterOfAll(['ingest', 'ingest.rejected'], { tenant: 'acme' })).toThrow(/tenant/);
    expect(() => filterOfAll(['ingest', 'records.received'])).toThrow(/one stream/);
  });

  it("covers every subject of a tenant's events, stream by stream", () => {
    expect(tenantFilters('acme')).toEqual([
      { stream: 'INGEST', filter: 'ingest.acme.*' },
      { stream: 'INGEST', filter: 'ingest.rejected.acme' },
      // records.received and records.behavior
      { stream: 'RECORDS', filter: 'records.*.acme.*' },
      { stream: 'ENRICHMENT', filter: 'enrichment.*.*.acme' },
      { stream: 'ENRICHMENT', filter: 'enrichment.completed.acme' },
      // review.requested, feedback.recorded, corrections.recorded, learning.applied
      { stream: 'LEARNING', filter: '*.*.acme' },
      { stream: 'DATASETS', filter: 'datasets.committed.acme' },
      { stream: 'LEARNING', filter: 'models.published.*.acme' },
      { stream: 'ALERTS', filter: 'alerts.*.acme' },
    ]);
  });

  it('routes every event subject into the stream it names', () => {
    for (const def of Object.values(EVENTS)) {
      const root = def.subject.split('.')[0];
      expect(STREAMS[def.stream].subjects).toContain(`${root}.>`);
    }
  });
});
