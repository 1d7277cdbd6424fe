import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EnrichmentInputSchema, ReceivedRecordSchema } from '../enrichment/enriched-record';
import { validate } from '../validation';
import { workspaceRoot } from '../workspace-root';
import { enrichedRecordsConsumers, receivedFilterOf } from './received-consumers';
import { ENRICHED_RECORD_TYPES, IncomingEventSchema, RECORD_TYPES } from './record-types';

const EXAMPLES = join(workspaceRoot, 'services', 'ingestion', 'examples');
const example = (name: string) =>
  JSON.parse(readFileSync(join(EXAMPLES, `${name}.json`), 'utf8')) as {
    type: string;
    data: Record<string, unknown>;
  };

const transcript = example('transcript');
const pathsOf = (body: unknown) => {
  const result = validate(IncomingEventSchema, body);
  return result.ok ? [] : result.errors.map((e) => e.path);
};
const withData = (data: Record<string, unknown>) => ({
  ...transcript,
  data: { ...transcript.data, ...data },
});

describe('the example events', () => {
  it('include one valid event of every record type', () => {
    const events = readdirSync(EXAMPLES).map((file) =>
      JSON.parse(readFileSync(join(EXAMPLES, file), 'utf8')),
    );
    for (const event of events)
      expect(validate(IncomingEventSchema, event)).toMatchObject({ ok: true });
    expect(events.map((e) => e.type).sort()).toEqual(Object.keys(RECORD_TYPES).sort());
  });
});

describe('a transcript', () => {
  it('is accepted with only its order number, channel and text, and keeps fields it does not know', () => {
    const minimal = {
      ...transcript,
      data: { order_number: 'A-1', channel: 'chat', text: 'Where is my parcel?', mood: 'curious' },
    };
    expect(validate(IncomingEventSchema, minimal)).toMatchObject({
      ok: true,
      value: { type: 'transcript', data: { mood: 'curious' } },
    });
  });

  it('names each bad field by its path', () => {
    const turns = transcript.data.turns as Record<string, unknown>[];
    expect(
      pathsOf(
        withData({
          channel: 'fax',
          text: 'x'.repeat(50_001),
          turns: [turns[0], { ...turns[1], speaker: 'robot', text: '' }, { text: 'hi' }],
          language: 'not a language',
          started_at: 'this morning',
        }),
      ).sort(),
    ).toEqual([
      'data.channel',
      'data.language',
      'data.started_at',
      'data.text',
      'data.turns[1].speaker',
      'data.turns[1].text',
      'data.turns[2].speaker',
    ]);
    expect(pathsOf(withData({ text: '' }))).toEqual(['data.text']);
    expect(pathsOf(withData({ order_number: undefined }))).toEqual(['data.order_number']);
    expect(pathsOf(withData({ turns: Array(2_001).fill(turns[0]) }))).toEqual(['data.turns']);
    expect(pathsOf(withData({ turns: [{ ...turns[0], at: 'later' }] }))).toEqual([
      'data.turns[0].at',
    ]);
  });

  it('may not end before it started: the error names ended_at', () => {
    const result = validate(
      IncomingEventSchema,
      withData({ started_at: '2026-11-22T10:00:00+01:00', ended_at: '2026-11-22T08:59:59Z' }),
    );
    expect(result.ok ? [] : result.errors).toEqual([
      { path: 'data.ended_at', message: 'must not be before started_at' },
    ]);
    // The same instant in another offset, and a call that ends as it starts, are fine.
    for (const ended_at of ['2026-11-22T09:00:00Z', '2026-11-22T10:00:00+01:00'])
      expect(
        validate(
          IncomingEventSchema,
          withData({ started_at: '2026-11-22T10:00:00+01:00', ended_at }),
        ).ok,
      ).toBe(true);
    // One of the two alone is not compared with anything.
    expect(validate(IncomingEventSchema, withData({ started_at: undefined })).ok).toBe(true);
  });
});

describe('the record types enrichment takes', () => {
  const typesOf = (schema: {
    options: readonly { shape: { record_type: { value: unknown } } }[];
  }) => schema.options.map((o) => o.shape.record_type.value).sort();

  it('are orders and exceptions, each a record type, and the stages read no other', () => {
    expect([...ENRICHED_RECORD_TYPES].sort()).toEqual(['exception', 'order']);
    for (const type of ENRICHED_RECORD_TYPES) expect(RECORD_TYPES).toHaveProperty(type);
    expect(typesOf(EnrichmentInputSchema)).toEqual([...ENRICHED_RECORD_TYPES].sort());
    expect(typesOf(ReceivedRecordSchema)).toEqual(Object.keys(RECORD_TYPES).sort());
  });

  it('are read through one durable per type, the first keeping the name of the one that read them all', () => {
    expect(enrichedRecordsConsumers('order-analysis')).toEqual([
      { type: 'order', durable: 'order-analysis', filterSubject: 'records.received.*.order' },
      {
        type: 'exception',
        durable: 'order-analysis-exception',
        filterSubject: 'records.received.*.exception',
        takesOverFrom: 'order-analysis',
      },
    ]);
    expect(enrichedRecordsConsumers('quality-monitor-records', 'acme')).toEqual([
      {
        type: 'order',
        durable: 'quality-monitor-records_acme',
        filterSubject: 'records.received.acme.order',
      },
      {
        type: 'exception',
        durable: 'quality-monitor-records-exception_acme',
        filterSubject: 'records.received.acme.exception',
        takesOverFrom: 'quality-monitor-records_acme',
      },
    ]);
    expect(receivedFilterOf('transcript', 'acme')).toBe('records.received.acme.transcript');
  });
});
