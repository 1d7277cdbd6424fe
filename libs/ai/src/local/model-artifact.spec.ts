import { gunzipSync, gzipSync } from 'node:zlib';
import { generateDriftedExceptions } from '../seed/drift';
import { generateSeedSet } from '../seed/seed-set';
import type { LocalModel } from './local-model';
import { deserializeLocalModel, serializeLocalModel } from './model-artifact';
import { FEATURE_SPACE_VERSION } from './record-features';
import { trainLocalModel } from './train-local-model';

const records = [
  ...generateSeedSet({ seed: 7, size: 300 }),
  ...generateDriftedExceptions({ seed: 7, size: 100 }),
].map((e) => e.record);

/** Everything a service returns or shows: probabilities, labels, actions, explanations. */
function answers(model: LocalModel) {
  return records.map((record) => {
    const features = model.features(record);
    const label = model.classify(features);
    return {
      problems: model.scoreProblems(features),
      label,
      action: model.resolve(features, label.label, label.confidence),
    };
  });
}

describe('local model artifacts', () => {
  let model: LocalModel;
  let bytes: Buffer;
  beforeAll(() => {
    model = trainLocalModel().model;
    bytes = serializeLocalModel(model);
  });

  it('give back a model that answers and explains exactly as the one serialized', () => {
    const copy = deserializeLocalModel(bytes);
    expect(copy.version).toBe(model.version);
    expect(answers(copy)).toEqual(answers(model));
    for (const label of ['DAMAGED_ITEM', 'ADDRESS_ISSUE', 'OTHER'] as const) {
      expect(copy.topFeatures(label, 20)).toEqual(model.topFeatures(label, 20));
    }
  });

  it('are the same bytes each time, so their hash can name the model', () => {
    expect(serializeLocalModel(model).equals(bytes)).toBe(true);
    expect(serializeLocalModel(deserializeLocalModel(bytes)).equals(bytes)).toBe(true);
  });

  it('fit in a NATS message with room to spare (measured 418 KB)', () => {
    expect(bytes.length).toBeLessThan(500_000);
  });

  it('keep weights that are not float32 values exact', () => {
    const copy = deserializeLocalModel(bytes);
    copy.models.label.weights[3] = 0.1;
    copy.models.action.bias[0] = -0;
    const back = deserializeLocalModel(serializeLocalModel(copy));
    expect(back.models.label.weights[3]).toBe(0.1);
    expect(Object.is(back.models.action.bias[0], -0)).toBe(true);
    expect(answers(back)).toEqual(answers(copy));
  });

  it('refuse weights trained on features this code does not compute', () => {
    const raw = gunzipSync(bytes).toString('latin1');
    const other = raw.replace(`"features":"${FEATURE_SPACE_VERSION}"`, '"features":"features-0"');
    expect(other).not.toBe(raw);
    expect(() => deserializeLocalModel(gzipSync(Buffer.from(other, 'latin1')))).toThrow(
      /trained on features-0/,
    );
  });

  it('refuse bytes that are not a whole artifact', () => {
    expect(() => deserializeLocalModel(Buffer.from('not a model'))).toThrow(/not gzip/);
    const raw = gunzipSync(bytes);
    const truncated = gzipSync(raw.subarray(0, raw.length - 100));
    expect(() => deserializeLocalModel(truncated)).toThrow(/truncated/);
    const header = Buffer.from(JSON.stringify({ format: 'something-else/1' }));
    const length = Buffer.alloc(4);
    length.writeUInt32LE(header.length);
    expect(() => deserializeLocalModel(gzipSync(Buffer.concat([length, header])))).toThrow(
      /header/,
    );
  });
});
