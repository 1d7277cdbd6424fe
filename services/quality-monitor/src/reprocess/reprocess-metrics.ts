import { STAGES } from '@refinery/contracts';
import type { Counter } from 'prom-client';
import { sharedCounter } from '../shared/scrape-metrics';
import { REASONS } from './reprocess-decision';

type RequestLabels = 'tenant' | 'stage' | 'reason';

/**
 * Registered once per process, however many monitors it runs. Every tenant's series start
 * at 0, so a rate over them means something before the first request.
 */
export const reprocessMetrics = (tenants?: () => Promise<string[]>): Counter<RequestLabels> =>
  sharedCounter({
    name: 'refinery_quality_reprocess_requested_total',
    help: 'Records the quality monitor asked a stage to drive again, and why',
    labelNames: ['tenant', 'stage', 'reason'],
    async collect() {
      for (const tenant of (await tenants?.()) ?? [])
        for (const stage of STAGES)
          for (const reason of REASONS) this.inc({ tenant, stage, reason }, 0);
    },
  });
