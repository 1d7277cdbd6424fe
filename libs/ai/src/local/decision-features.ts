import {
  ACTIONS,
  AI_LABELS,
  PROBLEM_CODES,
  type Action,
  type AiLabel,
  type ProblemCode,
} from '@refinery/contracts';
import { STRUCTURED_FEATURES } from './record-features';

/** Columns of their own for the resolution and automation models. */
export const DECISION_FEATURES: readonly string[] = [
  ...STRUCTURED_FEATURES,
  ...AI_LABELS.map((label) => `label=${label}`),
  ...PROBLEM_CODES.map((code) => `problem=${code}`),
  ...ACTIONS.map((action) => `action=${action}`),
];

/**
 * What the resolution model sees: the record, the label and problems, and every record
 * feature crossed with the label. The crosses let a linear model learn that "refund" in the
 * text means REFUND for a damaged item but nothing for an address issue.
 */
export function resolutionFeatures(
  record: ReadonlyMap<string, number>,
  label: AiLabel,
  problems: readonly ProblemCode[],
): Map<string, number> {
  const features = new Map(record);
  const labelName = `label=${label}`;
  features.set(labelName, 1);
  for (const code of problems) {
    features.set(`problem=${code}`, 1);
    features.set(`${labelName} & problem=${code}`, 1);
  }
  for (const [name, value] of record) features.set(`${labelName} & ${name}`, value);
  return features;
}

/** Whether an action can run unattended depends on the action and the record, not the words. */
export function automationFeatures(
  record: ReadonlyMap<string, number>,
  label: AiLabel,
  action: Action,
): Map<string, number> {
  const actionName = `action=${action}`;
  const features = new Map<string, number>([
    [actionName, 1],
    [`${actionName} & label=${label}`, 1],
  ]);
  for (const [name, value] of record) {
    if (!name.startsWith('token:')) features.set(`${actionName} & ${name}`, value);
  }
  return features;
}
