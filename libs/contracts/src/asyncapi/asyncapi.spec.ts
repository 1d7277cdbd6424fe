import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { ASYNCAPI_PATH, asyncApiVersion } from './asyncapi-file';
import { buildAsyncApi } from './build-asyncapi';

describe('docs/asyncapi.yaml', () => {
  it('matches the event map (run `npm run asyncapi` after changing libs/contracts)', () => {
    const committed = readFileSync(ASYNCAPI_PATH, 'utf8');
    expect(committed).toBe(buildAsyncApi(asyncApiVersion()));
  });

  it('is an AsyncAPI 3 document with a channel and a message per event', () => {
    const doc = parse(buildAsyncApi('0.0.0'));
    expect(doc.asyncapi).toBe('3.0.0');
    expect(doc.channels['records.received'].address).toBe('records.received.{tenant}.{type}');
    expect(Object.keys(doc.channels['records.received'].parameters)).toEqual(['tenant', 'type']);
    const payload = doc.components.messages['records.received'].payload;
    expect(payload.required).toEqual(expect.arrayContaining(['id', 'tenant', 'record_id', 'data']));
    expect(doc.operations['receive-ingest'].action).toBe('receive');
    expect(doc.operations['send-records.received'].action).toBe('send');
  });
});
