import { sharedCounter } from '../shared/scrape-metrics';

export const streamViolations = sharedCounter({
  name: 'refinery_quality_stream_violations_total',
  help: 'Incoming records that broke a payload rule, counted once per rule and record',
  labelNames: ['tenant', 'rule', 'severity'],
});
