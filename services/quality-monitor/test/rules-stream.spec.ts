import { AckPolicy, jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { filterOf, STREAMS } from '@refinery/contracts';
import { uniqueName, waitFor } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { monitorDurable } from '../src/projection/projection.controller';
import { startMonitor, type Monitor } from './monitor-app';
import { request, seriesValue } from './rules-support';

interface Violation {
  rule: string;
  severity: string;
  tenant: string;
  record_id: string;
  field: string;
  failing_values: unknown[];
}

const order = (fields: { email?: string; total: number }) => ({
  order_number: `EU-${randomUUID().slice(0, 8)}`,
  customer: { id: 'c-1', ...(fields.email ? { email: fields.email } : {}) },
  items: [{ sku: 'SKU-1', quantity: 1, unit_price: fields.total }],
  currency: 'EUR',
  total: fields.total,
  status: 'placed',
});

describe('validation rules on incoming records', () => {
  let monitor: Monitor;
  const prefix = uniqueName('stream');
  const created: string[] = [];
  const call = <T = Record<string, unknown>>(method: string, path: string, body?: unknown) =>
    request<T>(monitor.url, method, path, body);

  beforeAll(async () => {
    monitor = await startMonitor();
    for (const rule of [
      { name: `${prefix}.email-present`, type: 'not_null', column: 'customer.email' },
      {
        name: `${prefix}.total-cap`,
        type: 'range',
        column: 'total',
        max: 1000,
        severity: 'critical',
      },
      { name: `${prefix}.eur-only`, type: 'accepted_values', column: 'currency', values: ['EUR'] },
    ]) {
      const res = await call<{ id: string }>('POST', '/api/quality/rules', {
        table: 'payload',
        record_type: 'order',
        ...rule,
      });
      expect(res.status).toBe(201);
      created.push(res.body.id);
    }
  });

  afterAll(async () => {
    for (const id of created) await call('DELETE', `/api/quality/rules/${id}`);
    await monitor?.close();
  });

  const receive = (recordId: string, payload: unknown) =>
    monitor.publish(
      'records.received',
      recordId,
      {
        record_type: 'order',
        source: 'shop',
        external_id: recordId,
        received_at: new Date().toISOString(),
        payload,
      },
      new Date().toISOString(),
      { type: 'order' },
    );

  const violations = async () =>
    (
      await call<{ violations: Violation[] }>(
        'GET',
        `/api/quality/violations?tenant=${monitor.tenant}`,
      )
    ).body.violations;

  it('stores and counts the violations of each record once, however often it arrives', async () => {
    const [clean, broken, late] = [randomUUID(), randomUUID(), randomUUID()];
    await receive(clean, order({ email: 'ann@example.com', total: 50 }));
    const brokenOrder = order({ total: 5000 });
    await receive(broken, brokenOrder);
    await receive(broken, brokenOrder);
    // Records are judged in stream order: once the last one's violation is stored, all are.
    await receive(late, order({ total: 10 }));
    const found = await waitFor(async () => {
      const all = await violations();
      return all.some((v) => v.record_id === late) && all;
    });

    const seen = found
      .map((v) => ({
        rule: v.rule.replace(`${prefix}.`, ''),
        record: v.record_id,
        values: v.failing_values,
      }))
      .sort((a, b) => `${a.record}${a.rule}`.localeCompare(`${b.record}${b.rule}`));
    expect(seen).toEqual(
      [
        { rule: 'email-present', record: broken, values: [null] },
        { rule: 'total-cap', record: broken, values: [5000] },
        { rule: 'email-present', record: late, values: [null] },
      ].sort((a, b) => `${a.record}${a.rule}`.localeCompare(`${b.record}${b.rule}`)),
    );
    expect(found.find((v) => v.rule === `${prefix}.total-cap`)).toMatchObject({
      severity: 'critical',
      tenant: monitor.tenant,
      field: 'total',
    });

    const metrics = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
    const counted = (rule: string, severity: string) =>
      seriesValue(metrics, 'refinery_quality_stream_violations_total', {
        tenant: monitor.tenant,
        rule: `${prefix}.${rule}`,
        severity,
      });
    expect(counted('total-cap', 'critical')).toBe(1);
    expect(counted('email-present', 'error')).toBe(2);
    expect(counted('eur-only', 'error')).toBeUndefined();

    // The same deliveries build the enrichment state: every record judged is also counted.
    const report = await call<{ records: { received: number } }>(
      'GET',
      `/api/enrichment/report/${monitor.tenant}`,
    );
    expect(report.body.records.received).toBe(3);
  });

  it('removes the durable that payload rules used to have on records.received', async () => {
    const tenant = uniqueName('retired').replace('_', '-');
    const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222' });
    const jsm = await jetstreamManager(nc);
    const retired = monitorDurable('rules', tenant);
    await jsm.consumers.add(STREAMS.RECORDS.name, {
      durable_name: retired,
      filter_subject: filterOf('records.received', { tenant }),
      ack_policy: AckPolicy.Explicit,
    });
    const other = await startMonitor({ QUALITY_TENANT: tenant });
    try {
      const names: string[] = [];
      for await (const info of jsm.consumers.list(STREAMS.RECORDS.name)) names.push(info.name);
      expect(names).toContain(monitorDurable('records', tenant));
      expect(names).not.toContain(retired);
    } finally {
      await other.close();
      await nc.close();
    }
  });

  it('does not run payload rules on demand: they have no table', async () => {
    const res = await call<{ errors: { path: string; message: string }[] }>(
      'POST',
      `/api/quality/rules/run?rule=${prefix}.total-cap`,
    );
    expect(res.status).toBe(400);
    expect(res.body.errors[0]).toMatchObject({
      path: 'rule',
      message: expect.stringContaining('as they arrive'),
    });
  });
});
