import { createHash } from 'node:crypto';
import type { EventPayload } from '@refinery/contracts';
import type { NewExample } from '../examples/example';

type Completed = EventPayload<'enrichment.completed'>;
type Applied = EventPayload<'learning.applied'>;

/** The same record and task always give the same example id: a later correction of it is a
 * new version of that example, not a second example. */
export function exampleIdOf(recordId: string, type: string): string {
  const h = createHash('sha256').update(`${recordId}:${type}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export interface Decision {
  type: NewExample['type'];
  output: Record<string, unknown>;
  confidence: number;
  model_version: string | null;
}

/** The answers of an enriched record's stages that reached `minConfidence`. */
export function confidentDecisions(event: Completed, minConfidence: number): Decision[] {
  const { stages } = event.data;
  const decisions: Decision[] = [];
  const analysis = stages['order-analysis'];
  if (analysis.output) {
    const problems = analysis.output.problems;
    const confidence = Math.min(...problems.map((p) => p.confidence));
    decisions.push({
      type: 'order_analysis',
      output: { problems: problems.map((p) => p.code) },
      confidence,
      model_version: analysis.model_version,
    });
  }
  const classification = stages.classification;
  if (classification.output) {
    decisions.push({
      type: 'classification',
      output: { label: classification.output.ai_label },
      confidence: classification.output.ai_confidence,
      model_version: classification.model_version,
    });
  }
  const resolution = stages.resolution;
  if (resolution.output) {
    decisions.push({
      type: 'resolution',
      output: { action: resolution.output.action },
      confidence: resolution.output.confidence,
      model_version: resolution.model_version,
    });
  }
  return decisions.filter((d) => d.confidence >= minConfidence);
}

/** Examples from decisions someone confirmed (positive feedback). */
export function confirmedExamples(
  recordId: string,
  input: Record<string, unknown>,
  decisions: Decision[],
): NewExample[] {
  return decisions.map((d) => ({
    id: exampleIdOf(recordId, d.type),
    type: d.type,
    input,
    output: d.output,
    labels: {
      source: 'positive_feedback',
      confidence: d.confidence,
      model_version: d.model_version,
    },
    source_decision_id: recordId,
  }));
}

/** Examples from an applied correction: the right label, the right action, or both. */
export function correctedExamples(event: Applied): NewExample[] {
  const { data } = event;
  const recordId = event.record_id ?? data.source_id ?? data.item_id;
  const labels = (original: unknown) => ({
    source: 'correction',
    confidence: 1,
    reason: data.reason,
    approved_by: data.approved_by,
    learning_item_id: data.item_id,
    original: original ?? null,
  });
  const examples: NewExample[] = [];
  const expected = data.expected_output;
  const original = data.original_output ?? {};
  if (typeof expected.label === 'string') {
    examples.push({
      id: exampleIdOf(recordId, 'classification'),
      type: 'classification',
      input: data.input,
      output: { label: expected.label },
      labels: labels(original.label),
      source_decision_id: recordId,
    });
  }
  if (typeof expected.action === 'string') {
    examples.push({
      id: exampleIdOf(recordId, 'resolution'),
      type: 'resolution',
      input: data.input,
      output: { action: expected.action },
      labels: labels(original.action),
      source_decision_id: recordId,
    });
  }
  return examples;
}
