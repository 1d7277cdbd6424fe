import { REFINERY_METRICS } from '@refinery/observability';
import { startEveryService, type EveryService } from './support/services';

// The dashboards and alerts are checked against the catalog (support/known-metrics.ts); this
// keeps it equal to what the services, running as they are deployed, export. Labels show on
// samples only, so each owner's own tests check them at registration (catalogMismatches).

/** The type of every metric an exposition declares (`# TYPE name type`), samples or not. */
const declaredTypes = (exposition: string) =>
  [...exposition.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map(([, name, type]) => ({ name, type }));

describe('known metrics', () => {
  let running: EveryService;
  /** Each metric's types, as the services declare it. */
  const exported = new Map<string, Set<string>>();

  beforeAll(async () => {
    running = await startEveryService();
    for (const service of Object.values(running.services)) {
      const res = await fetch(`${service.url}/metrics`);
      expect(res.status).toBe(200);
      for (const { name, type } of declaredTypes(await res.text()))
        exported.set(name, (exported.get(name) ?? new Set()).add(type));
    }
  }, 60_000);
  afterAll(() => running?.stop());

  it.each(Object.entries(REFINERY_METRICS))(
    '%s is exported by the running services with the same type',
    (name, def) => {
      expect([...(exported.get(name) ?? [])]).toEqual([def.type]);
    },
  );

  it('lists every refinery_ metric the running services export', () => {
    expect(
      [...exported.keys()].filter(
        (name) => name.startsWith('refinery_') && !(name in REFINERY_METRICS),
      ),
    ).toEqual([]);
  });
});
