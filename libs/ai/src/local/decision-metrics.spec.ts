import { generateSeedSet } from '../seed/seed-set';
import { decisionMetrics, evaluateCorrections } from './decision-metrics';
import { evaluateLocalModel } from './evaluate';
import fixture from './fixtures/decision-metrics.json';
import { trainLocalModel } from './train-local-model';

describe('decisionMetrics', () => {
  // Expected values computed by hand with numpy: fixtures/decision-metrics.py.
  it.each(fixture.cases)('matches the reference computation: $name', (c) => {
    const metrics = decisionMetrics(c.predicted, c.truth, c.confidences, fixture.classes);
    expect(metrics.examples).toBe(c.expected.examples);
    expect(metrics.accuracy).toBeCloseTo(c.expected.accuracy, 12);
    expect(metrics.macro_f1).toBeCloseTo(c.expected.macro_f1, 12);
    expect(metrics.calibration_error).toBeCloseTo(c.expected.calibration_error, 12);
    expect(Object.keys(metrics.recall)).toEqual(fixture.classes);
    for (const [name, recall] of Object.entries(c.expected.recall)) {
      if (recall === null) expect(metrics.recall[name]).toBeNull();
      else expect(metrics.recall[name]).toBeCloseTo(recall, 12);
    }
  });

  it('refuses classes it was not told about, uneven inputs and no examples', () => {
    expect(() => decisionMetrics(['A', 'Z'], ['A', 'A'], [0.5, 0.5], ['A'])).toThrow(/"Z"/);
    expect(() => decisionMetrics(['A'], ['A', 'A'], [0.5], ['A'])).toThrow(/length/);
    expect(() => decisionMetrics([], [], [], ['A'])).toThrow(/at least one/);
  });
});

describe('evaluateCorrections', () => {
  // No label noise: the given label is the true one.
  const examples = generateSeedSet({ seed: 11, size: 400, labelNoise: 0 });
  let model: ReturnType<typeof trainLocalModel>['model'];
  beforeAll(() => {
    model = trainLocalModel().model;
  });

  it('scores labels as the pipeline gives them: a record with no problem found gets none', () => {
    const detected = examples.filter(
      (e) => model.detectProblems(model.features(e.record)).length > 0,
    );
    expect(detected.length).toBeLessThan(examples.length);
    const asked = (list: typeof examples) => list.map(({ record, label }) => ({ record, label }));
    const { classification, resolution } = evaluateCorrections(model, asked(examples));
    const report = evaluateLocalModel(model, detected).classification;
    expect(resolution).toBeUndefined();
    expect(classification?.examples).toBe(400);
    expect(classification?.accuracy).toBeCloseTo(
      (report.accuracy * detected.length) / examples.length,
      12,
    );
    expect(classification?.recall.NOT_CLASSIFIED).toBeNull();
    const classified = evaluateCorrections(model, asked(detected)).classification;
    expect(classified?.accuracy).toBe(report.accuracy);
    expect(classified?.calibration_error).toBeCloseTo(report.ece, 12);
  });

  it('resolves with the true label when a correction has one, else with the predicted one', () => {
    const withLabel = examples.map(({ record, label, action }) => ({ record, label, action }));
    const actionOnly = examples.map(({ record, action }) => ({ record, action }));
    const given = evaluateCorrections(model, withLabel).resolution;
    const predicted = evaluateCorrections(model, actionOnly);
    expect(predicted.classification).toBeUndefined();
    expect(given?.examples).toBe(400);
    // Wrong labels lead to wrong actions, so the action alone scores lower end to end.
    expect(predicted.resolution?.accuracy).toBeLessThan(given?.accuracy ?? 0);
    expect(predicted.resolution?.accuracy).toBe(
      evaluateLocalModel(model, examples).resolution.accuracy,
    );
  });

  it('leaves out examples with neither a label nor an action', () => {
    expect(evaluateCorrections(model, [{ record: examples[0].record }])).toEqual({});
  });
});
