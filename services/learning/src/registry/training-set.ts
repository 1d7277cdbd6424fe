import type { CorrectionExample } from '@refinery/ai';
import {
  ACTIONS,
  AI_LABELS,
  ENRICHED_RECORD_TYPES,
  RECORD_TYPES,
  type Action,
  type AiLabel,
  type EnrichedRecordType,
} from '@refinery/contracts';
import type { DatasetRow } from '../shared/dataset-client';

export interface TrainingSet {
  /** One per record of the train split: its label, its action, or both. */
  train: CorrectionExample[];
  /** The Gold examples of the validation split, one per example. */
  validation: CorrectionExample[];
  /** Examples that teach neither a label nor an action a model knows, or whose record is not valid. */
  skipped: number;
}

/** Orders and exceptions only: the payload alone says which one it is. */
function recordTypeOf(input: Record<string, unknown>): EnrichedRecordType | undefined {
  return ENRICHED_RECORD_TYPES.find((type) => RECORD_TYPES[type].safeParse(input).success);
}

function taught(row: DatasetRow): { label?: AiLabel; action?: Action } | undefined {
  const { type } = row.metadata;
  const label = row.output.label;
  const action = row.output.action;
  if (type === 'classification' && AI_LABELS.includes(label as AiLabel))
    return { label: label as AiLabel };
  if (type === 'resolution' && ACTIONS.includes(action as Action))
    return { action: action as Action };
  return undefined;
}

/**
 * A dataset commit as the models learn from it. A record's classification and resolution
 * examples are one training row when both are in the train split.
 */
export function trainingSetOf(tenant: string, rows: readonly DatasetRow[]): TrainingSet {
  const train = new Map<string, CorrectionExample>();
  const validation: CorrectionExample[] = [];
  let skipped = 0;
  for (const row of rows) {
    const answer = taught(row);
    const recordType = recordTypeOf(row.input);
    if (!answer || !recordType) {
      skipped++;
      continue;
    }
    const recordId = row.metadata.source_decision_id ?? row.metadata.id;
    const record = { recordId, tenant, recordType, payload: row.input };
    if (row.metadata.split === 'train') {
      const known = train.get(recordId);
      train.set(recordId, known ? { ...known, ...answer } : { record, ...answer });
    } else if (row.metadata.split === 'validation' && row.metadata.tier === 'gold') {
      validation.push({ record, ...answer });
    }
  }
  return { train: [...train.values()], validation, skipped };
}
