import { AI_LABELS } from '@refinery/contracts';
import { generateDriftedExceptions } from '../seed/drift';
import type { SeedExample } from '../seed/seed-set';
import { evaluateCorrections, type CorrectionMetrics } from './decision-metrics';
import type { LocalModel } from './local-model';
import { deserializeLocalModel, serializeLocalModel } from './model-artifact';
import { retrainLocalModel, type CorrectionExample } from './retrain';
import { trainLocalModel, type TrainedLocalModel } from './train-local-model';

const asCorrections = (examples: SeedExample[]): CorrectionExample[] =>
  examples.map(({ record, label, action }) => ({ record, label, action }));

// The evaluation sets and the reviewed records come from different seeds.
const normal = asCorrections(generateDriftedExceptions({ seed: 1, size: 2000, drift: 0 }));
const drifted = asCorrections(generateDriftedExceptions({ seed: 1, size: 2000 }));
const reviewed = asCorrections(generateDriftedExceptions({ seed: 2, size: 500 }));
/** A reviewer who picks a wrong label one time in ten. */
const misreviewed = reviewed.map((c, i) =>
  i % 10 === 0 && c.label
    ? { ...c, label: AI_LABELS[(AI_LABELS.indexOf(c.label) + 1 + (i % 7)) % AI_LABELS.length] }
    : c,
);

const accuracy = (metrics: CorrectionMetrics) => metrics.classification?.accuracy ?? NaN;
const resolutionAccuracy = (metrics: CorrectionMetrics) => metrics.resolution?.accuracy ?? NaN;

describe('retrainLocalModel on corrections of drifted exceptions', () => {
  let shipped: TrainedLocalModel;
  let retrained: TrainedLocalModel;
  /** The shipped model on drifted exceptions: what the corrections have to improve. */
  let before: CorrectionMetrics;
  beforeAll(() => {
    shipped = trainLocalModel();
    retrained = retrainLocalModel({ corrections: reviewed, version: 'classification@3' });
    before = evaluateCorrections(shipped.model, drifted);
  });

  it('starts from a shipped model that loses 20+ points on drifted phrasing', () => {
    const onNormal = accuracy(evaluateCorrections(shipped.model, normal));
    expect(onNormal - accuracy(before)).toBeGreaterThan(0.2);
  });

  it('gains 20+ points on drifted exceptions from 500 corrections', () => {
    const after = accuracy(evaluateCorrections(retrained.model, drifted));
    expect(after - accuracy(before)).toBeGreaterThan(0.2);
  });

  it('keeps accuracy on the seed test split within half a point', () => {
    const seedTest = shipped.report.test.classification.accuracy;
    expect(retrained.report.test.classification.accuracy).toBeGreaterThanOrEqual(seedTest - 0.005);
    expect(retrained.report.sizes).toEqual(shipped.report.sizes);
  });

  it('gains 15+ points when a tenth of the labels are wrong', () => {
    const noisy = retrainLocalModel({ corrections: misreviewed, version: 'classification@4' });
    const after = accuracy(evaluateCorrections(noisy.model, drifted));
    expect(after - accuracy(before)).toBeGreaterThan(0.15);
  });

  it('learns actions from corrections that name only the action, leaving labels alone', () => {
    const actionsOnly = reviewed.map(({ record, action }) => ({ record, action }));
    const { model } = retrainLocalModel({ corrections: actionsOnly, version: 'resolution@2' });
    const sample = drifted.slice(0, 300);
    const labels = (m: LocalModel) => sample.map((c) => m.classify(m.features(c.record), 0).label);
    expect(labels(model)).toEqual(labels(shipped.model));
    // Resolved with the true label: measured 56% -> 85%.
    const after = resolutionAccuracy(evaluateCorrections(model, drifted));
    expect(after - resolutionAccuracy(before)).toBeGreaterThan(0.15);
  });

  it('takes the version it is given and ships as an artifact like any model', () => {
    const copy = deserializeLocalModel(serializeLocalModel(retrained.model));
    expect(copy.version).toBe('classification@3');
    const sample = drifted.slice(0, 300);
    expect(evaluateCorrections(copy, sample)).toEqual(evaluateCorrections(retrained.model, sample));
  });

  it('is the shipped model under another version when there is nothing to learn', () => {
    const { model } = retrainLocalModel({ corrections: [], version: 'classification@1' });
    expect(model.version).toBe('classification@1');
    expect(model.models).toEqual(shipped.model.models);
  });

  it('refuses a correction weight that is not a positive whole number', () => {
    for (const correctionWeight of [0, 1.5, -2]) {
      expect(() =>
        retrainLocalModel({ corrections: reviewed, correctionWeight, version: 'x@1' }),
      ).toThrow(RangeError);
    }
  });
});
