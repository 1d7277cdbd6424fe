import { randomUUID } from 'node:crypto';
import { OPEN_PATHS, TENANT_SCOPES, type Scope } from '@refinery/runtime';
import { documentedRoutes, TestTenants, type TestTenant } from '@refinery/testing';
import { OPERATOR_KEY } from './support/monitor-process';
import { manifest } from './support/repo';
import { startEveryService, type EveryService } from './support/services';

type Access = 'open' | 'operator' | Scope;

const OPEN = {
  'GET /health/live': 'open',
  'GET /health/ready': 'open',
  'GET /metrics': 'open',
} as const;

/**
 * Every HTTP route of every service and what it needs. A route added without an entry here,
 * or a service in deploy/services.json without one, fails this test.
 */
const ROUTES: Record<string, Record<string, Access>> = {
  ingestion: {
    ...OPEN,
    'POST /v1/events': 'ingest',
    'POST /v1/track': 'ingest',
    'POST /v1/identify': 'ingest',
    'POST /v1/batch': 'ingest',
    'POST /v1/admin/tenants': 'operator',
    'POST /v1/admin/tenants/:tenant/keys': 'operator',
    'GET /v1/admin/tenants/:tenant/keys': 'operator',
    'POST /v1/admin/keys/:id/revoke': 'operator',
    'GET /v1/admin/dlq': 'operator',
    'GET /v1/admin/dlq/:seq': 'operator',
    'POST /v1/admin/dlq/:seq/replay': 'operator',
    'POST /v1/admin/dlq/replay': 'operator',
    'DELETE /v1/admin/dlq': 'operator',
  },
  learning: {
    ...OPEN,
    'POST /api/feedback/rating': 'review',
    'POST /api/feedback/correction': 'review',
    'GET /api/feedback/pending': 'read',
    'GET /api/learning/queue': 'read',
    'POST /api/learning/queue/:id/approve': 'review',
    'POST /api/learning/queue/:id/reject': 'review',
    'POST /api/learning/apply': 'admin',
    'GET /api/learning/similar': 'read',
    'GET /api/learning/metrics': 'read',
    'POST /api/learning/metrics/refresh': 'admin',
    'GET /api/review/queue': 'review',
    'GET /api/review/labeling': 'read',
    'GET /api/models': 'read',
    'POST /api/models/train': 'admin',
    'GET /api/models/:name/compare': 'read',
    'POST /api/models/:name/rollback': 'admin',
    'GET /api/models/:name/:version': 'read',
    'POST /api/models/:name/:version/promote': 'admin',
    'GET /api/explanations/:record_id': 'read',
    'GET /console': 'open',
    'GET /console/console.js': 'open',
    'GET /console/console.css': 'open',
  },
  'dataset-versioning': {
    ...OPEN,
    'POST /api/datasets': 'review',
    'GET /api/datasets': 'read',
    'GET /api/datasets/:name': 'read',
    'POST /api/datasets/:name/examples': 'review',
    'GET /api/datasets/:name/examples': 'read',
    'PATCH /api/datasets/:name/examples/:id': 'review',
    'DELETE /api/datasets/:name/examples/:id': 'review',
    'POST /api/datasets/:name/validate': 'review',
    'POST /api/datasets/:name/commits': 'review',
    'GET /api/datasets/:name/log': 'read',
    'GET /api/datasets/:name/diff': 'read',
    'POST /api/datasets/:name/checkout': 'read',
    'GET /api/datasets/:name/tags': 'read',
    'POST /api/datasets/:name/tags': 'review',
    'POST /api/datasets/:name/branches': 'review',
    'POST /api/datasets/:name/merge': 'review',
    'POST /api/datasets/:name/rollback': 'review',
    'GET /api/datasets/:name/export': 'read',
    'POST /api/labeling/sessions': 'review',
    'GET /api/labeling/sessions/:id': 'read',
    'POST /api/labeling/sessions/:id/end': 'review',
    'GET /api/labeling/sessions/:id/next': 'review',
    'POST /api/labeling/sessions/:id/submit': 'review',
    'GET /api/labeling/agreement': 'read',
    'GET /api/labeling/labelers': 'read',
  },
  'order-analysis': OPEN,
  classification: OPEN,
  resolution: OPEN,
  'quality-monitor': {
    ...OPEN,
    'GET /api/enrichment/health/:tenant': 'read',
    'GET /api/enrichment/integrity/:tenant': 'read',
    'GET /api/enrichment/thresholds/:tenant': 'read',
    'PUT /api/enrichment/thresholds/:tenant': 'admin',
    'GET /api/enrichment/alerts/:tenant': 'read',
    'POST /api/enrichment/process/:tenant': 'admin',
    'GET /api/enrichment/report/:tenant': 'read',
    'GET /api/enrichment/backlog/:tenant': 'read',
    'GET /api/quality/completeness/:schema/:table': 'operator',
    'GET /api/quality/orphans/:schema/:table': 'operator',
    'POST /api/quality/cleanse': 'operator',
    'POST /api/quality/rules': 'operator',
    'GET /api/quality/rules': 'operator',
    'GET /api/quality/rules/:id': 'operator',
    'PATCH /api/quality/rules/:id': 'operator',
    'DELETE /api/quality/rules/:id': 'operator',
    'POST /api/quality/rules/run': 'operator',
    'GET /api/quality/runs': 'operator',
    'GET /api/quality/runs/:id': 'operator',
    'GET /api/quality/violations': 'read',
  },
  analytics: {
    ...OPEN,
    'GET /api/analytics/events/count': 'read',
    'GET /api/analytics/retention': 'read',
    'GET /api/analytics/churn': 'read',
    'GET /api/analytics/ltv': 'read',
    'GET /api/analytics/models': 'read',
    'GET /api/analytics/cohorts': 'read',
    'GET /api/analytics/cohorts/retention-matrix': 'read',
    'POST /api/analytics/cohorts/refresh': 'admin',
    'POST /api/analytics/funnels': 'admin',
    'GET /api/analytics/funnels': 'read',
    'POST /api/analytics/funnels/query': 'read',
    'GET /api/analytics/funnels/:name/report': 'read',
    'GET /api/analytics/attribution': 'read',
    'GET /api/analytics/experiments/:id': 'read',
    'POST /api/analytics/stats/proportions': 'read',
    'POST /api/analytics/stats/means': 'read',
    'POST /api/analytics/stats/sample-size': 'read',
  },
};

/** Every service as its own process; every request here fails authentication on purpose. */
let running: EveryService;
beforeAll(async () => {
  running = await startEveryService({
    AUTH_FAILURE_LIMIT: '100000',
    REFINERY_ADMIN_API_KEY: OPERATOR_KEY,
  });
}, 60_000);
afterAll(() => running?.stop());

describe('the access rule of every route', () => {
  it('covers every service in deploy/services.json', () => {
    expect(Object.keys(ROUTES).sort()).toEqual(
      manifest()
        .map((s) => s.name)
        .sort(),
    );
  });

  // The OpenAPI document lists every route but the probes and the scrape, which are open.
  it.each(Object.keys(ROUTES))('%s serves exactly the routes listed', async (name) => {
    const documented = await documentedRoutes(running.services[name].url, OPERATOR_KEY);
    const served = new Set([...documented, ...OPEN_PATHS.map((path) => `GET ${path}`)]);
    expect([...served].sort()).toEqual(Object.keys(ROUTES[name]).sort());
  });
});

/** `GET /api/x/:tenant/:id` with the params filled in; tenant routes also name it in ?tenant=. */
function request(route: string, tenant: string): { method: string; path: string } {
  const [method, template] = route.split(' ');
  const path = template
    .replace(':tenant', tenant)
    .replace(':id', randomUUID())
    .replace(':schema', 'ingestion')
    .replace(':table', 'records');
  return { method, path: path.endsWith('/violations') ? `${path}?tenant=${tenant}` : path };
}

describe('the access rules, enforced', () => {
  let tenants: TestTenants;
  let a: TestTenant;
  let b: TestTenant;

  beforeAll(async () => {
    tenants = await TestTenants.open();
    a = await tenants.create({ prefix: 'acl-a' });
    b = await tenants.create({ prefix: 'acl-b' });
  });

  afterAll(() => tenants?.close());

  const live = Object.entries(ROUTES).flatMap(([service, routes]) =>
    Object.entries(routes).map(([route, access]) => ({ service, route, access })),
  );
  const urlOf = (service: string) => running.services[service].url;
  const send = async (service: string, route: string, key?: string) => {
    const { method, path } = request(route, route.includes(':tenant') ? b.slug : a.slug);
    const res = await fetch(`${urlOf(service)}${path}`, {
      method,
      headers: {
        'content-type': 'application/json',
        ...(key ? { 'x-api-key': key } : {}),
      },
      body: method === 'GET' ? undefined : '{}',
    });
    const body = await res.text();
    return { status: res.status, type: res.headers.get('content-type'), body };
  };

  it.each(live.filter((r) => r.access !== 'open'))(
    '$service $route answers 401 without a key',
    async ({ service, route }) => {
      const res = await send(service, route);
      expect(res.status).toBe(401);
      expect(res.type).toMatch(/^application\/problem\+json/);
    },
  );

  it.each(live.filter((r) => r.access === 'open'))(
    '$service $route answers without a key',
    async ({ service, route }) => {
      expect((await send(service, route)).status).toBe(200);
    },
  );

  it.each(live.filter((r) => r.access !== 'open' && r.access !== 'operator'))(
    '$service $route answers 403 to a key without the $access scope',
    async ({ service, route, access }) => {
      const others = TENANT_SCOPES.filter((scope) => scope !== access);
      const { key } = await tenants.key(b.slug, others);
      const res = await send(service, route, key);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).detail).toBe(`this key lacks the "${access}" scope`);
    },
  );

  it.each(live.filter((r) => r.access === 'operator'))(
    '$service $route answers 403 to a tenant key with every scope',
    async ({ service, route }) => {
      const res = await send(service, route, a.apiKey);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body).detail).toBe('this route needs the operator key');
    },
  );

  const namingTenant = live.filter(
    (r) =>
      r.access !== 'operator' && (r.route.includes(':tenant') || r.route.endsWith('/violations')),
  );
  it.each(namingTenant)(
    "$service $route answers 404 on another tenant's name, as on one that does not exist",
    async ({ service, route }) => {
      // Tenant A's key, with every scope, naming tenant B (or A's name on violations).
      const { method, path } = request(route, b.slug);
      const init = {
        method,
        headers: { 'content-type': 'application/json', 'x-api-key': a.apiKey },
        body: method === 'GET' ? undefined : '{}',
      };
      const other = await fetch(`${urlOf(service)}${path}`, init);
      const missing = await fetch(
        `${urlOf(service)}${path.replaceAll(b.slug, 'no-such-tenant')}`,
        init,
      );
      expect(other.status).toBe(404);
      expect(missing.status).toBe(404);
      const titles = [
        (await other.json()) as { title: string },
        (await missing.json()) as { title: string },
      ];
      expect(titles[0].title).toBe(titles[1].title);
    },
  );

  it('lets the operator key through every route that names a tenant or needs no tenant', async () => {
    const refused: string[] = [];
    for (const { service, route } of live.filter((r) => r.access !== 'open')) {
      const res = await send(service, route, OPERATOR_KEY);
      if (res.status === 401 || res.status === 403) refused.push(`${route}: ${res.body}`);
    }
    // Ingesting, the learning queue's tenant routes, every dataset route and analytics' tenant
    // routes need a tenant, and the operator key has none of its own: only learning's applying
    // and refreshing and analytics' cohort refresh, which serve every tenant, and analytics'
    // statistics over figures the caller brings, which read no tenant's data, let it through.
    const tenantOnly = [
      'POST /v1/events',
      'POST /v1/track',
      'POST /v1/identify',
      'POST /v1/batch',
      ...Object.keys(ROUTES.learning).filter(
        (route) => route.includes('/api/') && !/apply|refresh/.test(route),
      ),
      ...Object.keys(ROUTES['dataset-versioning']).filter((route) => route.includes('/api/')),
      ...Object.keys(ROUTES.analytics).filter(
        (route) => route.includes('/api/') && !/\/stats\/|\/refresh$/.test(route),
      ),
    ];
    expect(refused.map((line) => line.split(': ')[0]).sort()).toEqual(tenantOnly.sort());
    for (const line of refused) expect(line).toMatch(/has no tenant of its own/);
  });
});
