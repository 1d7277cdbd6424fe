import { z } from 'zod';

export const AlertSeveritySchema = z.enum(['warning', 'critical']);
export type AlertSeverity = z.infer<typeof AlertSeveritySchema>;

/** An alert of the quality monitor started or stopped firing for a tenant. */
export const AlertChangedSchema = z.object({
  alert: z
    .string()
    .describe('which check: completeness, quality_score, backlog, failure_rate, ...'),
  severity: AlertSeveritySchema,
  state: z.enum(['firing', 'resolved']),
  value: z.number().describe('the figure when the state changed'),
  threshold: z.number().describe("the tenant's threshold it was compared with"),
  summary: z.string(),
  runbook_url: z.string().describe('what to do about it'),
  since: z.iso.datetime({ offset: true }).describe('when the alert started firing'),
});
