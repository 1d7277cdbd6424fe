import { randomBytes } from 'node:crypto';
import { AckPolicy, jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import {
  connect,
  PermissionViolationError,
  type ConnectionOptions,
  type NatsConnection,
} from '@nats-io/transport-node';
import {
  buildNatsConfig,
  natsUsers,
  STAGES,
  subjectOf,
  tenantConsumerOf,
  tenantInboxPrefix,
  type EventPayload,
} from '@refinery/contracts';
import {
  startNatsServer,
  startServiceProcess,
  TestTenants,
  uniqueName,
  type NatsServer,
  type ServiceProcess,
} from '@refinery/testing';

// The server of deploy/nats/nats-server.conf, generated for two tenants: every service runs
// as its own process and its own user, and a tenant's users can reach their own subjects only.

const encoder = new TextEncoder();

/** What the server logged as refused: `Publish Violation - User "x", Subject "y"`. */
const violations = (log: string) => log.split('\n').filter((line) => line.includes('Violation'));

/** An order as an upstream system publishes it. */
const order = (externalId: string) => ({
  type: 'order',
  source: 'shop-eu',
  external_id: externalId,
  occurred_at: '2026-11-20T09:30:00Z',
  data: {
    order_number: `A-${externalId}`,
    customer: { id: 'c-42', email: 'ana@example.com' },
    items: [{ sku: 'SKU-1', quantity: 2, unit_price: 12.5 }],
    currency: 'EUR',
    total: 25,
    status: 'paid',
  },
});

/** The permissions violation the client reports for a refused publish or subscription. */
async function refusal(attempt: Promise<unknown>): Promise<PermissionViolationError> {
  const outcome = await attempt.then(
    () => new Error('the server allowed it'),
    (error: unknown) => error,
  );
  let error: unknown = outcome;
  while (error instanceof Error) {
    if (error instanceof PermissionViolationError) return error;
    error = error.cause;
  }
  throw outcome;
}

describe('NATS users and permissions (deploy/nats)', () => {
  let server: NatsServer;
  const services: ServiceProcess[] = [];
  const clients: NatsConnection[] = [];
  let a: string;
  let b: string;
  let login: (user: string, options?: Partial<ConnectionOptions>) => Promise<NatsConnection>;

  beforeAll(async () => {
    // Slugs first: the configuration has users for the tenants it is generated for.
    [a, b] = [uniqueName('nats-a'), uniqueName('nats-b')].map((s) => s.replace('_', '-'));
    // Letters and digits, starting with a letter: nats-server reads the value as a token.
    const users = natsUsers([a, b]).map((u) => ({
      ...u,
      password: `p${randomBytes(18).toString('hex')}`,
    }));
    const passwords = new Map(users.map((u) => [u.name, u.password]));
    server = await startNatsServer({
      config: buildNatsConfig([a, b]),
      env: Object.fromEntries(users.map((u) => [u.passwordVariable, u.password])),
    });
    const as = (user: string) => ({
      NATS_URL: server.url,
      NATS_USER: user,
      NATS_PASSWORD: passwords.get(user) ?? '',
    });
    login = async (user, options = {}) => {
      const nc = await connect({
        servers: server.url,
        user,
        pass: passwords.get(user),
        ...options,
      });
      clients.push(nc);
      return nc;
    };

    const operatorKey = TestTenants.operatorKey();
    const ingestion = await startServiceProcess('ingestion', {
      ...as('ingestion'),
      REFINERY_ADMIN_API_KEY: operatorKey,
    });
    services.push(ingestion);
    // Created as an operator does, which also makes each tenant's subscriber durable.
    for (const slug of [a, b]) {
      const created = await fetch(`${ingestion.url}/v1/admin/tenants`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-api-key': operatorKey },
        body: JSON.stringify({ slug }),
      });
      expect(created.status).toBe(201);
    }
    for (const stage of STAGES)
      services.push(await startServiceProcess(stage, { ...as(stage), ENRICHMENT_TENANT: a }));
    // The monitor of every tenant, with nothing scheduled: what it does at start is what counts.
    services.push(
      await startServiceProcess('quality-monitor', {
        ...as('quality-monitor'),
        QUALITY_SWEEP_INTERVAL: '0',
        QUALITY_ALERT_INTERVAL: '0',
        QUALITY_RULES_INTERVAL: '0',
      }),
    );
  }, 60_000);

  afterAll(async () => {
    await Promise.all(clients.map((nc) => nc.close()));
    for (const service of services.reverse()) await service.stop();
    await server?.stop();
  });

  const tenantLogin = (tenant: string, role: 'publisher' | 'subscriber') =>
    login(`${tenant}-${role}`, { inboxPrefix: tenantInboxPrefix(tenant) });
  // A tenant may not read account information ($JS.API.INFO): nothing beyond its consumer.
  const subscriberJsm = (nc: NatsConnection): Promise<JetStreamManager> =>
    jetstreamManager(nc, { checkAPI: false });

  it("runs the pipeline as the services' own users, from a tenant's ingest to its subscriber", async () => {
    const publisher = await tenantLogin(a, 'publisher');
    const subscriber = await tenantLogin(a, 'subscriber');
    const consumer = tenantConsumerOf(a);

    const sent = order(`nats-perm-${randomBytes(4).toString('hex')}`);
    const ack = await jetstream(publisher).publish(
      subjectOf('ingest', { tenant: a, type: 'order' }),
      encoder.encode(JSON.stringify(sent)),
    );
    expect(ack.stream).toBe('INGEST');

    const reader = await jetstream(subscriber).consumers.get(consumer.stream, consumer.durable);
    const msg = await reader.next({ expires: 25_000 });
    expect(msg?.subject).toBe(subjectOf('enrichment.completed', { tenant: a }));
    const completed = msg?.json<EventPayload<'enrichment.completed'>>();
    expect(completed).toMatchObject({
      tenant: a,
      type: 'enrichment.completed',
      data: { input: { external_id: sent.external_id } },
    });
    expect(Object.keys(completed?.data.stages ?? {}).sort()).toEqual([
      'classification',
      'order-analysis',
      'resolution',
    ]);
    expect(await msg?.ackAck()).toBe(true);

    // The monitor reads the dead-letter count from JetStream for its metrics.
    const monitor = services.find((s) => s.name === 'quality-monitor');
    expect((await fetch(`${monitor?.url}/metrics`)).status).toBe(200);
    // Starting, provisioning, consuming and publishing: no service asked for more than it has.
    expect(violations(server.log())).toEqual([]);
  }, 30_000);

  it("refuses a tenant's publisher another tenant's ingest subject and every enrichment subject", async () => {
    const js = jetstream(await tenantLogin(a, 'publisher'));
    const body = encoder.encode(JSON.stringify(order('not-allowed')));
    const otherIngest = subjectOf('ingest', { tenant: b, type: 'order' });
    for (const subject of [
      otherIngest,
      subjectOf('enrichment.completed', { tenant: a }),
      subjectOf('enrichment.done', { stage: 'order-analysis', tenant: a }),
    ]) {
      const error = await refusal(js.publish(subject, body));
      expect({ operation: error.operation, subject: error.subject }).toEqual({
        operation: 'publish',
        subject,
      });
    }
    expect(violations(server.log()).join('\n')).toContain(
      `User "${a}-publisher", Subject "${otherIngest}"`,
    );
  });

  it("refuses a tenant's subscriber another tenant's completed events, by subscription or consumer", async () => {
    const nc = await tenantLogin(a, 'subscriber');
    const other = subjectOf('enrichment.completed', { tenant: b });

    const closed = await nc.subscribe(other).closed;
    expect(closed).toBeInstanceOf(PermissionViolationError);
    expect(closed).toMatchObject({ operation: 'subscription', subject: other });

    const jsm = await subscriberJsm(nc);
    const own = tenantConsumerOf(a);
    const theirs = tenantConsumerOf(b);
    // Not even its own durable: a push consumer could deliver its events to any subject.
    for (const [durable, filter, deliver] of [
      [own.durable, other, undefined],
      [theirs.durable, theirs.filterSubject, undefined],
      [own.durable, own.filterSubject, subjectOf('ingest', { tenant: b, type: 'order' })],
    ]) {
      const error = await refusal(
        jsm.consumers.add(theirs.stream, {
          durable_name: durable,
          filter_subject: filter,
          ack_policy: AckPolicy.Explicit,
          ...(deliver ? { deliver_subject: deliver } : {}),
        }),
      );
      expect(error.subject).toBe(`$JS.API.CONSUMER.CREATE.${theirs.stream}.${durable}.${filter}`);
    }
    const info = await refusal(jsm.consumers.info(theirs.stream, theirs.durable));
    expect(info.subject).toBe(`$JS.API.CONSUMER.INFO.${theirs.stream}.${theirs.durable}`);
  });
});
