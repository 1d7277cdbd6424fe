import type { EventPayload } from '@refinery/contracts';

type Completed = EventPayload<'enrichment.completed'>;
type ReviewRequested = EventPayload<'review.requested'>;

/** One row of `interactions`: what the AI answered about a record. */
export interface InteractionRow {
  id: string;
  tenant: string;
  record_type: string;
  source: string;
  external_id: string;
  input: unknown;
  label: string | null;
  confidence: number | null;
  action: string | null;
  model_name: string | null;
  model_version: string | null;
  review_requested: boolean;
  completed_at: string | null;
}

/** One row of `response_analytics`: a stage's answer, under the model version that gave it. */
export interface ResponseRow {
  interaction_id: string;
  tenant: string;
  response_type: 'classification' | 'resolution';
  ab_variant: string | null;
}

export function completedRows(event: Completed): {
  interaction: InteractionRow;
  responses: ResponseRow[];
} {
  const { input, stages } = event.data;
  const classification = stages.classification;
  const resolution = stages.resolution;
  const answered = classification.output ? classification : resolution;
  const interaction: InteractionRow = {
    id: event.record_id,
    tenant: event.tenant,
    record_type: input.record_type,
    source: input.source,
    external_id: input.external_id,
    input: input.payload,
    label: classification.output?.ai_label ?? null,
    confidence: classification.output?.ai_confidence ?? resolution.output?.confidence ?? null,
    action: resolution.output?.action ?? null,
    model_name: answered.provider,
    model_version: answered.model_version,
    review_requested: false,
    completed_at: event.data.completed_at,
  };
  const responses: ResponseRow[] = [];
  if (classification.output) {
    responses.push({
      interaction_id: event.record_id,
      tenant: event.tenant,
      response_type: 'classification',
      ab_variant: classification.model_version,
    });
  }
  if (resolution.output) {
    responses.push({
      interaction_id: event.record_id,
      tenant: event.tenant,
      response_type: 'resolution',
      ab_variant: resolution.model_version,
    });
  }
  return { interaction, responses };
}

export function reviewRow(event: ReviewRequested): InteractionRow {
  const { input, output } = event.data;
  return {
    id: event.record_id,
    tenant: event.tenant,
    record_type: input.record_type,
    source: input.source,
    external_id: input.external_id,
    input: input.payload,
    label: output?.ai_label ?? null,
    confidence: output?.ai_confidence ?? null,
    action: null,
    model_name: null,
    model_version: null,
    review_requested: true,
    completed_at: null,
  };
}
