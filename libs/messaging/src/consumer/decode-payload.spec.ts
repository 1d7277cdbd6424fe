import { z } from 'zod';
import { findHostileInput, INPUT_LIMITS } from '@refinery/contracts';
import { decodePayload } from './decode-payload';

const bytes = (text: string) => new TextEncoder().encode(text);
const Order = z.object({ id: z.string(), total: z.number().nonnegative() });

describe('decodePayload', () => {
  it('decodes JSON and applies the schema', () => {
    expect(decodePayload(bytes('{"id":"o-1","total":3}'), Order)).toEqual({
      ok: true,
      data: { id: 'o-1', total: 3 },
    });
  });

  it('treats a body that is not JSON as not retryable', () => {
    const decoded = decodePayload(bytes('{"id":'), Order);
    expect(decoded).toMatchObject({ ok: false, reason: 'non_retryable' });
    expect(decoded.ok ? '' : decoded.detail).toContain('not valid JSON');
  });

  it('hands a text consumer the body as it came, JSON or not', () => {
    expect(decodePayload(bytes('{"id":'), undefined, 'text')).toEqual({ ok: true, data: '{"id":' });
  });

  it('treats invalid UTF-8 as not retryable', () => {
    expect(decodePayload(new Uint8Array([0x7b, 0xff, 0x7d]))).toMatchObject({
      ok: false,
      reason: 'non_retryable',
    });
  });

  it('names every field that violates the schema', () => {
    const decoded = decodePayload(bytes('{"total":-1}'), Order);
    expect(decoded).toMatchObject({ ok: false, reason: 'schema_violation' });
    const detail = decoded.ok ? '' : decoded.detail;
    expect(detail).toContain('id:');
    expect(detail).toContain('total:');
  });

  it('hands a bytes consumer the body untouched, even when it is not UTF-8', () => {
    const body = new Uint8Array([0x7b, 0xff, 0x7d]);
    expect(decodePayload(body, undefined, 'bytes')).toEqual({ ok: true, data: body });
  });

  it('refuses hostile JSON before any handler or schema sees it', () => {
    let deep = '1';
    for (let i = 0; i < 10_000; i++) deep = `[${deep}]`;
    const nested = decodePayload(bytes(`{"id":"o-1","total":1,"x":${deep}}`), Order);
    expect(nested).toMatchObject({ ok: false, reason: 'schema_violation' });
    expect(nested.ok ? '' : nested.detail).toMatch(/x\[0\].*: nests deeper than 40 levels/);
    const nul = decodePayload(bytes('{"note":"a\\u0000b"}'));
    expect(nul).toMatchObject({ ok: false, reason: 'non_retryable' });
    expect(nul.ok ? '' : nul.detail).toMatch(/^payload refused: note: must not contain the NUL/);
  });

  it('takes a record accepted at intake however deep, once wrapped in the envelopes of the bus', () => {
    // As deep as intake allows (INPUT_LIMITS), then carried as enrichment.completed carries it.
    let data: unknown = 1;
    for (let i = 0; i < INPUT_LIMITS.maxDepth - 2; i++) data = { n: data };
    const event = { type: 'order', data };
    expect(findHostileInput(event)).toEqual([]);
    const envelope = { tenant: 'acme', data: { input: { payload: event.data }, stages: {} } };
    expect(decodePayload(bytes(JSON.stringify(envelope)))).toMatchObject({ ok: true });
  });
});
