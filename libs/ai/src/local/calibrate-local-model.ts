import { ACTIONS, AI_LABELS } from '@refinery/contracts';
import type { SeedExample } from '../seed/seed-set';
import {
  fitSigmoidTemperatures,
  fitSoftmaxCalibration,
  type SoftmaxCalibration,
} from './calibration';
import { resolutionFeatures } from './decision-features';
import type { FeatureSpace } from './feature-space';
import { logits, type LinearModel } from './linear-model';
import type { LocalModel } from './local-model';
import { recordFeatures } from './record-features';
import { problemTargets } from './targets';

/** Fits the temperatures on the validation split, in the conditions the pipeline runs in. */
export function calibrateLocalModel(
  model: LocalModel,
  validation: readonly SeedExample[],
  decisionSpace: FeatureSpace,
): void {
  const { problems, label, action } = model.models;
  const features = validation.map((e) => recordFeatures(e.record));
  const x = features.map((f) => model.encodeRecord(f));
  problems.temperatures.set(
    fitSigmoidTemperatures(
      x.map((v) => logits(problems, v)),
      validation.map((e) => problemTargets(e.problems)),
    ),
  );
  applyCalibration(
    label,
    fitSoftmaxCalibration(
      x.map((v) => logits(label, v)),
      validation.map((e) => AI_LABELS.indexOf(e.label)),
    ),
  );
  const actionLogits = features.map((f) => {
    const predicted = model.classify(f, 0).label;
    return logits(
      action,
      decisionSpace.encode(resolutionFeatures(f, predicted, model.detectProblems(f))),
    );
  });
  applyCalibration(
    action,
    fitSoftmaxCalibration(
      actionLogits,
      validation.map((e) => ACTIONS.indexOf(e.action)),
    ),
  );
}

function applyCalibration(model: LinearModel, { temperature, floor }: SoftmaxCalibration): void {
  model.temperatures[0] = temperature;
  model.floor = floor;
}
