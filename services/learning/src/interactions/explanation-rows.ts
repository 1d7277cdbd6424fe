import type { ClassificationOutput, EventPayload } from '@refinery/contracts';

/** One row of `model_explanations`: why a model gave a record its label. */
export interface ExplanationRow {
  tenant: string;
  entity_id: string;
  model_version: string | null;
  prediction: number;
  feature_contributions: { feature: string; weight: number }[];
  top_features: string[];
  explanation_text: string;
}

const TOP = 3;
const signed = (w: number) => `${w >= 0 ? '+' : '−'}${Math.abs(w).toFixed(2)}`;

/** "DAMAGED_ITEM at 0.62, mostly from word:cracked (+1.20) and kind:damage (+0.80); against it: …" */
export function explanationText(output: ClassificationOutput): string {
  const byWeight = [...output.explanation].sort((a, b) => b.weight - a.weight);
  const forIt = byWeight.filter((c) => c.weight > 0).slice(0, TOP);
  const against = byWeight.filter((c) => c.weight < 0).slice(-2);
  const list = (cs: typeof forIt) => cs.map((c) => `${c.feature} (${signed(c.weight)})`);
  let text = `${output.ai_label} at confidence ${output.ai_confidence.toFixed(2)}`;
  text += forIt.length > 0 ? `, mostly from ${joined(list(forIt))}` : ', with no feature for it';
  if (against.length > 0) text += `; against it: ${joined(list(against))}`;
  return `${text}.`;
}

function joined(parts: string[]): string {
  return parts.length < 2 ? parts.join('') : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

function rowOf(
  tenant: string,
  recordId: string,
  modelVersion: string | null,
  output: ClassificationOutput,
): ExplanationRow {
  return {
    tenant,
    entity_id: recordId,
    model_version: modelVersion,
    prediction: output.ai_confidence,
    feature_contributions: output.explanation,
    top_features: output.explanation
      .filter((c) => c.weight > 0)
      .map((c) => c.feature)
      .slice(0, TOP),
    explanation_text: explanationText(output),
  };
}

export function completedExplanation(
  event: EventPayload<'enrichment.completed'>,
): ExplanationRow | null {
  const report = event.data.stages.classification;
  if (!report.output) return null;
  return rowOf(event.tenant, event.record_id, report.model_version, report.output);
}

export function reviewExplanation(event: EventPayload<'review.requested'>): ExplanationRow | null {
  if (!event.data.output) return null;
  return rowOf(event.tenant, event.record_id, null, event.data.output);
}
