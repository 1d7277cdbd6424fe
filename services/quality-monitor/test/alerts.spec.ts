import { connect, type NatsConnection } from '@nats-io/transport-node';
import { filterOf, subjectOf, type EventPayload } from '@refinery/contracts';
import { storedMessages, waitFor } from '@refinery/testing';
import { randomUUID } from 'node:crypto';
import { completedRecord, input, startMonitor, type Monitor } from './monitor-app';

type AlertEvent = EventPayload<'alerts.changed'>;

describe('alerts', () => {
  let monitor: Monitor;
  let nc: NatsConnection;
  beforeAll(async () => {
    monitor = await startMonitor({ QUALITY_ALERT_INTERVAL: '200ms' });
    nc = await connect({ servers: process.env.NATS_URL ?? '127.0.0.1:4222' });
  });
  afterAll(async () => {
    await monitor.close();
    await nc.close();
  });

  /** Every alert change published for the tenant, as `<alert>/<severity>/<state>`. */
  const changes = async () =>
    (
      await storedMessages<AlertEvent>(
        nc,
        'ALERTS',
        filterOf('alerts.changed', { tenant: monitor.tenant }),
      )
    ).map((m) => `${m.data.data.alert}/${m.data.data.severity}/${m.data.data.state}`);
  /** Waits for every `wanted` change among those published after the first `from`. */
  const until = (wanted: string[], from = 0) =>
    waitFor(async () => {
      const seen = (await changes()).slice(from);
      return wanted.every((w) => seen.includes(w)) && seen;
    }, 15_000);

  const failedRecord = async () => {
    const id = randomUUID();
    const at = new Date().toISOString();
    await monitor.publish('records.received', id, input(id, at), at, { type: 'exception' });
    const errors = ['attempt 1: HTTP 503'];
    await monitor.report('order-analysis', [{ record_id: id, status: 'FAILED', errors }], at);
  };

  it('fires each threshold when crossed and resolves it when the tenant recovers', async () => {
    // Nothing but a failure: completeness, quality and failure rate all critical.
    await failedRecord();
    const fired = await until([
      'completeness/critical/firing',
      'quality_score/critical/firing',
      'failure_rate/critical/firing',
    ]);
    // The backlog is fine: a failed record is finished, not waiting.
    expect(fired).not.toContain('backlog/critical/firing');
    const [event] = await storedMessages<AlertEvent>(
      nc,
      'ALERTS',
      subjectOf('alerts.changed', { severity: 'critical', tenant: monitor.tenant }),
    );
    expect(event.data.data).toMatchObject({ state: 'firing', threshold: expect.any(Number) });
    expect(event.data.data.runbook_url).toMatch(/^docs\/runbooks\/.+\.md$/);

    const metrics = await fetch(`${monitor.url}/metrics`).then((r) => r.text());
    expect(metrics).toMatch(
      new RegExp(
        `^refinery_quality_alert_firing\\{tenant="${monitor.tenant}",alert="completeness",severity="critical"[^}]*\\} 1$`,
        'm',
      ),
    );

    // Nine good records later: 90% complete, 10% failed, the score back above 80.
    for (let i = 0; i < 9; i++) {
      const record = completedRecord(monitor, 0.93, new Date());
      await record.received();
      await record.completed();
    }
    await until([
      'completeness/critical/resolved',
      'quality_score/critical/resolved',
      'failure_rate/critical/resolved',
    ]);
    // On the way up, completeness passes its warning threshold (0.8 < 0.85) before the last
    // records are projected: a warning may fire and resolve again, so wait for the end state.
    let firing: { alert: string; severity: string }[] = [];
    await waitFor(async () => {
      const { body } = await monitor.get<{
        alerts: { alert: string; severity: string; firing: boolean }[];
      }>(`/api/enrichment/alerts/${monitor.tenant}`);
      firing = body.alerts.filter((a) => a.firing);
      return firing.length === 0;
    }, 15_000).catch(() => undefined);
    expect(firing).toEqual([]);
  });

  it("fires warnings and the backlog alert against the tenant's own thresholds", async () => {
    const put = await monitor.send<{ thresholds: Record<string, Record<string, number>> }>(
      'PUT',
      `/api/enrichment/thresholds/${monitor.tenant}`,
      { completeness: { warning: 0.95 }, quality_score: { warning: 99 }, backlog: { critical: 0 } },
    );
    expect(put.status).toBe(200);
    expect(put.body.thresholds.completeness).toEqual({ critical: 0.7, warning: 0.95 });
    // The first test may have fired and resolved a completeness warning of its own.
    const from = (await changes()).length;

    // One record waiting in the pipeline: a backlog of 1 is over 0.
    const waiting = completedRecord(monitor, 0.93, new Date());
    await waiting.received();
    await until(
      ['completeness/warning/firing', 'quality_score/warning/firing', 'backlog/critical/firing'],
      from,
    );

    await waiting.completed();
    await until(['backlog/critical/resolved'], from);
    // Back to the defaults: 10 of 11 complete is fine by them.
    await monitor.send('PUT', `/api/enrichment/thresholds/${monitor.tenant}`, {
      completeness: { warning: null },
      quality_score: { warning: null },
      backlog: { critical: null },
    });
    await until(['completeness/warning/resolved', 'quality_score/warning/resolved'], from);
  });

  it('refuses thresholds it cannot use, naming what is wrong', async () => {
    const path = `/api/enrichment/thresholds/${monitor.tenant}`;
    const unknown = await monitor.send<{ detail: string }>('PUT', path, {
      completness: { critical: 0.5 },
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/completness/);

    const inverted = await monitor.send<{ detail: string }>('PUT', path, {
      completeness: { critical: 0.9, warning: 0.8 },
    });
    expect(inverted.status).toBe(400);
    expect(inverted.body.detail).toMatch(
      /completeness: the warning threshold 0.8 must come before the critical 0.9/,
    );
    // Nothing of the refused request was kept.
    const now = await monitor.get<{ thresholds: Record<string, Record<string, number>> }>(path);
    expect(now.body.thresholds.completeness).toEqual({ critical: 0.7, warning: 0.85 });
  });
});
