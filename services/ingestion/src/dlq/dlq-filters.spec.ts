import { subjectOf, validate } from '@refinery/contracts';
import { dlqSchemas, DlqSeqSchema, tenantOfSubject, timeOf } from './dlq-filters';

const NOW = new Date('2026-05-01T12:00:00Z');
const schemas = dlqSchemas(() => NOW);

const errorsOf = (schema: Parameters<typeof validate>[0], input: unknown, prefix = '') => {
  const result = validate(schema, input, prefix);
  return result.ok ? [] : result.errors;
};

describe('dead-letter filters', () => {
  it('read a time as an ISO time or as a duration ago', () => {
    expect(timeOf('2h', NOW)?.toISOString()).toBe('2026-05-01T10:00:00.000Z');
    expect(timeOf('30m', NOW)?.toISOString()).toBe('2026-05-01T11:30:00.000Z');
    expect(timeOf('7d', NOW)?.toISOString()).toBe('2026-04-24T12:00:00.000Z');
    expect(timeOf('2026-04-30T08:15:00Z', NOW)?.toISOString()).toBe('2026-04-30T08:15:00.000Z');
    expect(timeOf('2026-04-30T08:15:00+02:00', NOW)?.toISOString()).toBe(
      '2026-04-30T06:15:00.000Z',
    );
    expect(timeOf('2026-04-30', NOW)?.toISOString()).toBe('2026-04-30T00:00:00.000Z');
    for (const bad of ['yesterday', '2h ago', '-2h', '2026-13-40', '12', ''])
      expect(timeOf(bad, NOW)).toBeUndefined();
  });

  it('list the first 50 by default, and take every filter as query-string text', () => {
    const parsed = schemas.list.parse({
      service: 'order-analysis',
      reason: 'retries_exhausted',
      tenant: 'acme',
      since: '2h',
      until: '2026-05-01T11:00:00Z',
      replayed: 'false',
      after: '17',
      limit: '10',
    });
    expect(parsed).toEqual({
      service: 'order-analysis',
      reason: 'retries_exhausted',
      tenant: 'acme',
      since: new Date('2026-05-01T10:00:00Z'),
      until: new Date('2026-05-01T11:00:00Z'),
      replayed: false,
      after: 17,
      limit: 10,
    });
    expect(schemas.list.parse({})).toEqual({ limit: 50 });
  });

  it('name each bad field', () => {
    const errors = errorsOf(schemas.list, {
      service: 'no-such-service',
      reason: 'tired',
      since: 'yesterday',
      replayed: 'maybe',
      limit: '5000',
      colour: 'red',
    });
    expect(Object.fromEntries(errors.map((e) => [e.path, e.message]))).toEqual({
      service: expect.stringMatching(/^must be one of the services: .*order-analysis/),
      reason: expect.stringMatching(/^must be one of the reasons: retries_exhausted/),
      since: expect.stringMatching(/^must be an ISO time .* or a duration ago/),
      replayed: 'must be true or false',
      limit: 'must be a whole number from 1 to 1000',
      colour: 'is not a known field here',
    });
    expect(errorsOf(schemas.list, { since: '1h', until: '2h' })).toEqual([
      { path: 'until', message: 'must not be before since' },
    ]);
  });

  it('refuse a purge or a replay of every match that names no filter, unless it says all', () => {
    for (const schema of [schemas.purge, schemas.replayMatching]) {
      expect(errorsOf(schema, {})).toEqual([
        { path: 'all', message: expect.stringMatching(/^name at least one filter \(service/) },
      ]);
      expect(errorsOf(schema, { dry_run: true })).toHaveLength(1);
      expect(errorsOf(schema, { all: true })).toEqual([]);
      expect(errorsOf(schema, { all: 'true' })).toEqual([]);
      expect(errorsOf(schema, { replayed: 'true' })).toEqual([]);
      expect(errorsOf(schema, { tenant: 'acme', dry_run: 'true' })).toEqual([]);
    }
    expect(schemas.purge.parse({ service: 'resolution' })).toEqual({
      service: 'resolution',
      all: false,
      dry_run: false,
    });
    expect(schemas.replayMatching.parse({ reason: 'non_retryable' })).toMatchObject({
      force: false,
      dry_run: false,
      limit: 1000,
    });
  });

  it('take a replay of one with force and who asked, nothing else', () => {
    expect(schemas.replayOne.parse({})).toEqual({ force: false });
    expect(schemas.replayOne.parse({ force: true, by: ' ana ' })).toEqual({
      force: true,
      by: 'ana',
    });
    expect(errorsOf(schemas.replayOne, { service: 'resolution' })).toEqual([
      { path: 'service', message: 'is not a known field here' },
    ]);
  });

  it('read a DLQ sequence from a path or a command line', () => {
    expect(DlqSeqSchema.parse('42')).toBe(42);
    expect(errorsOf(DlqSeqSchema, ':seq', 'seq')).toEqual([
      { path: 'seq', message: expect.stringMatching(/^must be a whole number from 1/) },
    ]);
    expect(errorsOf(DlqSeqSchema, '0')).toHaveLength(1);
  });

  it('find the tenant an original subject names', () => {
    const tenant = 'acme';
    for (const subject of [
      subjectOf('records.received', { tenant, type: 'order' }),
      subjectOf('enrichment.done', { stage: 'order-analysis', tenant }),
      subjectOf('enrichment.reprocess', { stage: 'resolution', tenant }),
      subjectOf('enrichment.completed', { tenant }),
      subjectOf('ingest', { tenant, type: 'order' }),
      subjectOf('ingest.rejected', { tenant }),
      subjectOf('enrichment.escalated', { stage: 'resolution', tenant }),
      subjectOf('models.published', { model: 'classification', tenant }),
    ])
      expect(tenantOfSubject(subject)).toBe(tenant);
    expect(tenantOfSubject('somewhere.else')).toBeUndefined();
  });
});
