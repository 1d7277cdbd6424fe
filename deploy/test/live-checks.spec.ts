import { asGrafanaSends, describeDead, seriesSelectors } from './support/live-checks';

// The live dashboard test (launcher.spec.ts) trusts these to query what a panel or rule reads.

describe('live dashboard checks', () => {
  it('sends a panel query as Grafana does with every variable at All', () => {
    expect(
      asGrafanaSends(
        'sum(increase(x_total{tenant=~"$tenant", service=~"${service}"}[$__rate_interval])) / $__range_s',
      ),
    ).toBe('sum(increase(x_total{tenant=~".*", service=~".*"}[1m])) / 3600');
  });

  it('finds each series selector with its matchers, not functions, labels or strings', () => {
    const expr =
      'sum by (service) (rate(a_total{status=~"5..", route="/x{y}"}[5m])) / on (service) ' +
      'sum by (service) (rate(a_total[5m])) or label_replace(up{job!="refinery"}, "up", "$1", "", "") ' +
      'unless ALERTS{alertname="Critical", alertstate="firing"} or vector(0)';
    expect(seriesSelectors(expr)).toEqual([
      'a_total{status=~"5..", route="/x{y}"}',
      'a_total',
      'up{job!="refinery"}',
      'ALERTS{alertname="Critical", alertstate="firing"}',
    ]);
  });

  it('leaves out the matchers it is told to relax', () => {
    expect(
      seriesSelectors('a_total{job="refinery", status=~"5.."} and ALERTS{alertstate="firing"}', [
        /^status=~"5\.\."$/,
        /^alertstate="firing"$/,
      ]),
    ).toEqual(['a_total{job="refinery"}', 'ALERTS']);
  });

  it('names a dead series, and a query only when its series are all there', () => {
    const panel = 'Overview / Backlog A';
    expect(
      describeDead([
        { check: { what: panel, expr: 'max(b)' } },
        { check: { what: panel, expr: 'b', selector: true } },
        { check: { what: 'Overview / Ratio A', expr: 'x / y' } },
        { check: { what: 'alert X', expr: 'c{', selector: true }, error: 'parse error' },
      ]),
    ).toEqual([
      'Overview / Backlog A: no series b',
      'Overview / Ratio A: nothing from x / y',
      'alert X: no series c{ (Prometheus: parse error)',
    ]);
  });
});
