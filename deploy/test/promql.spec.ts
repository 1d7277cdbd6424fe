import {
  checkQuery,
  groupingLabels,
  metricNames,
  outputLabels,
  templateLabels,
} from './support/promql';

// The deploy specs trust this reader to find every metric and label a query uses.

describe('PromQL reader', () => {
  it('finds series, not functions, keywords, labels, strings or Grafana variables', () => {
    const expr =
      'histogram_quantile(0.99, sum by (service, le) (rate(refinery_handler_duration_seconds_bucket{service=~"$service"}[$__rate_interval])))' +
      ' / on (service) group_left sum without (instance) (up{job="refinery"} offset 5m) > bool 1e3 or vector(0)';
    expect(metricNames(expr).sort()).toEqual(['refinery_handler_duration_seconds_bucket', 'up']);
    expect(groupingLabels(expr)).toEqual(['service', 'le', 'service', 'instance']);
    expect([...(outputLabels(expr) ?? [])]).toEqual(['service', 'le']);
  });

  it('accepts the exported metrics with their labels and prom-client defaults', () => {
    expect(
      checkQuery('sum by (tenant, outcome) (rate(refinery_ingest_events_total{type="order"}[5m]))'),
    ).toEqual([]);
    expect(checkQuery('sum by (service, le) (rate(refinery_batch_size_bucket[5m]))')).toEqual([]);
    expect(
      checkQuery('max by (service) (nodejs_eventloop_lag_p99_seconds{job="refinery"})'),
    ).toEqual([]);
  });

  it('reports a misspelt metric, a missing label and a histogram read without a suffix', () => {
    expect(checkQuery('rate(refinery_messages_nacked_total[5m])')).toEqual([
      'unknown metric refinery_messages_nacked_total',
    ]);
    expect(
      checkQuery('rate(refinery_http_request_duration_seconds_count{status_code="500"}[5m])'),
    ).toEqual(['refinery_http_request_duration_seconds_count has no label status_code']);
    expect(checkQuery('sum by (tenant) (rate(refinery_messages_consumed_total[5m]))')).toEqual([
      'groups by tenant, which none of refinery_messages_consumed_total has',
    ]);
    expect(checkQuery('rate(refinery_publish_duration_seconds[5m])')).toEqual([
      'unknown metric refinery_publish_duration_seconds',
    ]);
    expect(checkQuery('vector(1)')).toEqual(['reads no metric: vector(1)']);
  });

  it('reads the labels of legends and alert templates', () => {
    expect(templateLabels('{{service}} {{ subject }}')).toEqual(['service', 'subject']);
    expect(templateLabels('{{ $labels.consumer }} at {{ $value | humanize }}')).toEqual([
      'consumer',
    ]);
  });
});
