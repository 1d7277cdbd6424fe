/** One row of `events`: a behavioural event or an order, as analytics keeps it. */
export interface EventRow {
  tenant: string;
  message_id: string;
  kind: 'track' | 'identify' | 'order' | 'enrichment' | 'feedback';
  user_id: string | null;
  anonymous_id: string | null;
  event: string | null;
  properties: Record<string, unknown>;
  traits?: Record<string, unknown>;
  campaign_source: string | null;
  campaign_medium: string | null;
  campaign_name: string | null;
  revenue: number | null;
  occurred_at: string;
}

/** The event name an order is kept under: Segment's for a completed order. */
export const ORDER_EVENT = 'Order Completed';

export interface BehaviorData {
  kind: 'track' | 'identify';
  message_id: string;
  user_id: string | null;
  anonymous_id: string | null;
  event: string | null;
  properties: Record<string, unknown>;
  traits: Record<string, unknown>;
  timestamp: string;
  campaign: { source: string | null; medium: string | null; name: string | null } | null;
}

export function behaviorRow(tenant: string, data: BehaviorData): EventRow {
  const revenue = Number(data.properties.revenue ?? data.properties.total);
  return {
    tenant,
    message_id: data.message_id,
    kind: data.kind,
    user_id: data.user_id,
    anonymous_id: data.anonymous_id,
    event: data.event,
    properties: data.properties,
    traits: data.traits,
    campaign_source: data.campaign?.source ?? null,
    campaign_medium: data.campaign?.medium ?? null,
    campaign_name: data.campaign?.name ?? null,
    revenue: Number.isFinite(revenue) ? revenue : null,
    occurred_at: data.timestamp,
  };
}

/** An order from records.received: a conversion with its revenue, by the customer's id. */
export function orderRow(
  tenant: string,
  recordId: string,
  payload: Record<string, unknown>,
  occurredAt: string,
): EventRow {
  const customer = (payload.customer ?? {}) as { id?: string };
  return {
    tenant,
    message_id: `order:${recordId}`,
    kind: 'order',
    user_id: customer.id ?? null,
    anonymous_id: null,
    event: ORDER_EVENT,
    properties: {
      order_number: payload.order_number,
      currency: payload.currency,
      status: payload.status,
    },
    campaign_source: null,
    campaign_medium: null,
    campaign_name: null,
    revenue: typeof payload.total === 'number' ? payload.total : null,
    occurred_at: typeof payload.placed_at === 'string' ? payload.placed_at : occurredAt,
  };
}

/** What the stages answered about a record, and under which model versions. */
export interface Enrichment {
  record_type: string;
  order_number: unknown;
  label: string | null;
  confidence: number | null;
  action: string | null;
  classification_model: string | null;
  resolution_model: string | null;
}

/** An enriched record (an exception or an order): exceptions count against their customer. */
export function enrichmentRow(
  tenant: string,
  recordId: string,
  e: Enrichment,
  occurredAt: string,
): EventRow {
  return {
    tenant,
    message_id: `enrichment:${recordId}`,
    kind: 'enrichment',
    user_id: null,
    anonymous_id: null,
    event: 'Record Enriched',
    properties: { record_id: recordId, ...e },
    campaign_source: null,
    campaign_medium: null,
    campaign_name: null,
    revenue: null,
    occurred_at: occurredAt,
  };
}

/** Someone's rating of an enriched record, from learning. */
export function feedbackRow(
  tenant: string,
  recordId: string,
  data: { feedback_id: string; feedback_type: string; rating: number | null },
  occurredAt: string,
): EventRow {
  return {
    tenant,
    message_id: `feedback:${data.feedback_id}`,
    kind: 'feedback',
    user_id: null,
    anonymous_id: null,
    event: 'Feedback Recorded',
    properties: { record_id: recordId, feedback_type: data.feedback_type, rating: data.rating },
    campaign_source: null,
    campaign_medium: null,
    campaign_name: null,
    revenue: null,
    occurred_at: occurredAt,
  };
}
