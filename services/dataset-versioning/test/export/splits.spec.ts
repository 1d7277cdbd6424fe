import { readdirSync, readFileSync } from 'node:fs';
import type { ExportExample } from '../../src/export/export-example';
import {
  checkRatios,
  labelOf,
  SPLIT_NAMES,
  SplitAssigner,
  splitOf,
  type SplitName,
  type SplitRatios,
} from '../../src/export/splits';
import { writeExport, type ExportOptions } from '../../src/export/write-export';
import { example, examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';

/** Example `n` labelled by a skewed draw over 24 labels: half `refund`, the rarest 1 in 1000. */
function labelled(n: number): ExportExample {
  const draw = (n * 2654435761) % 1000;
  const label = draw < 500 ? 'refund' : `reason-${Math.floor(Math.sqrt(draw - 500))}`;
  return { ...example(n), labels: { label } };
}

const RATIO_SETS: SplitRatios[] = [
  { train: 0.8, validation: 0.1, test: 0.1 },
  { train: 0.7, validation: 0.2, test: 0.1 },
  { train: 1 / 3, validation: 1 / 3, test: 1 / 3 },
  { train: 0.5, validation: 0.5, test: 0 },
];

function counts(splits: SplitName[]): Record<SplitName, number> {
  const result = { train: 0, validation: 0, test: 0 };
  for (const split of splits) result[split]++;
  return result;
}

describe('split ratios', () => {
  it('default to 80/10/10', () => {
    expect(checkRatios()).toEqual({ train: 0.8, validation: 0.1, test: 0.1 });
  });

  it('accept shares that sum to 1 up to rounding', () => {
    expect(checkRatios({ train: 0.7, validation: 0.2, test: 0.1 })).toEqual({
      train: 0.7,
      validation: 0.2,
      test: 0.1,
    });
  });

  it.each([
    [
      { train: 0.8, validation: 0.1, test: 0 },
      'split ratios must sum to 1, got 0.9 (train 0.8 + validation 0.1 + test 0)',
    ],
    [
      { train: 1.1, validation: 0, test: -0.1 },
      'split ratio "test" must not be negative, got -0.1',
    ],
    [{ train: 0.9, validation: 0.1 }, 'split ratio "test" must be a finite number, got undefined'],
    [
      { train: NaN, validation: 0.5, test: 0.5 },
      'split ratio "train" must be a finite number, got NaN',
    ],
    [
      { train: 0.8, validation: 0.1, test: 0.1, dev: 0 },
      'unknown split "dev" in ratios (splits are train, validation, test)',
    ],
  ])('reject %j', (ratios, message) => {
    expect(() => checkRatios(ratios as SplitRatios)).toThrow(message);
  });

  it('are checked before an export writes anything', async () => {
    const temp = tempDir('bad-ratios');
    try {
      const ratios = { train: 0.5, validation: 0.1, test: 0.1 };
      await expect(
        writeExport('jsonl', streamOf(examples(3)), temp.dir, { ...OPTIONS, ratios }),
      ).rejects.toThrow('split ratios must sum to 1, got 0.7');
      expect(readdirSync(temp.dir)).toEqual([]);
    } finally {
      temp.remove();
    }
  });
});

describe('label of an example', () => {
  it('is labels.label, else output.label, else output.action, else null', () => {
    const base = example(10);
    const of = (labels: ExportExample['labels'], output: ExportExample['output']) =>
      labelOf({ ...base, labels, output });
    expect(of({ label: 'a' }, { label: 'b', action: 'c' })).toBe('a');
    expect(of({ other: 1 }, { label: 'b', action: 'c' })).toBe('b');
    expect(of(null, { action: 'c' })).toBe('c');
    expect(of(null, {})).toBeNull();
  });
});

describe('unstratified splits', () => {
  const source = examples(20_000);

  it.each(RATIO_SETS)('come within a percent of the ratios over 20,000 examples: %j', (ratios) => {
    const got = counts(source.map((e) => splitOf(e.id, ratios)));
    for (const name of SPLIT_NAMES) {
      expect(Math.abs(got[name] / source.length - ratios[name])).toBeLessThan(0.01);
    }
    if (ratios.test === 0) expect(got.test).toBe(0);
  });
});

describe('stratified splits', () => {
  const source = Array.from({ length: 20_000 }, (_, n) => labelled(n));

  it.each(RATIO_SETS)(
    'keep every label within one example of its target share at every point: %j',
    (ratios) => {
      const assigner = new SplitAssigner(ratios);
      const seen = new Map<string, Record<SplitName, number>>();
      let worst = 0;
      for (const e of source) {
        const label = String(labelOf(e));
        const got = seen.get(label) ?? { train: 0, validation: 0, test: 0 };
        seen.set(label, got);
        got[assigner.assign(e)]++;
        const total = got.train + got.validation + got.test;
        for (const name of SPLIT_NAMES) {
          worst = Math.max(worst, Math.abs(got[name] - ratios[name] * total));
        }
      }
      expect(seen.size).toBe(24);
      expect(worst).toBeLessThanOrEqual(1);
    },
  );

  it('breaks ties by the id hash, not always towards the first split', () => {
    // Each example is its label's first: train and validation tie at every one.
    const assigner = new SplitAssigner({ train: 0.5, validation: 0.5, test: 0 });
    const splits = examples(2000).map((e) => assigner.assign({ ...e, labels: { label: e.id } }));
    const got = counts(splits);
    expect(got.test).toBe(0);
    expect(got.train / 2000).toBeGreaterThan(0.45);
    expect(got.train / 2000).toBeLessThan(0.55);
  });
});

describe('splits across exports', () => {
  const temp = tempDir('splits');
  afterAll(() => temp.remove());

  let runs = 0;
  async function splitsOf(source: ExportExample[], options: Partial<ExportOptions>) {
    const ref = `run-${runs++}`;
    const file = await writeExport('jsonl', streamOf(source), temp.dir, {
      ...OPTIONS,
      ...options,
      ref,
    });
    const lines = readFileSync(file.path, 'utf8').trimEnd().split('\n');
    const entries = lines.map((line) => {
      const { metadata } = JSON.parse(line) as { metadata: { id: string; split: SplitName } };
      return [metadata.id, metadata.split] as const;
    });
    return new Map(entries);
  }

  const first = Array.from({ length: 3000 }, (_, n) => labelled(n));
  const added = Array.from({ length: 1500 }, (_, n) => labelled(3000 + n));

  it.each([false, true])(
    'keep every earlier example in its split as examples are added (stratify: %s)',
    async (stratify) => {
      const before = await splitsOf(first, { stratify });
      const after = await splitsOf([...first, ...added], { stratify });
      expect(after.size).toBe(4500);
      expect(new Map(first.map((e) => [e.id, after.get(e.id)]))).toEqual(before);
      // The new examples are spread over the splits too, not all put in one.
      expect(counts(added.map((e) => after.get(e.id) as SplitName)).validation).toBeGreaterThan(50);
    },
  );

  it('put the same example in the same split whatever the order, unstratified', async () => {
    const forward = await splitsOf(first, {});
    const backward = await splitsOf([...first].reverse(), {});
    expect(new Map([...backward].sort())).toEqual(new Map([...forward].sort()));
  });

  it('stratified, give each label its share within one example', async () => {
    const ratios = { train: 0.7, validation: 0.2, test: 0.1 };
    const source = [...first, ...added];
    const splits = await splitsOf(source, { stratify: true, ratios });
    const byLabel = new Map<string, SplitName[]>();
    for (const e of source) {
      const label = String(labelOf(e));
      byLabel.set(label, [...(byLabel.get(label) ?? []), splits.get(e.id) as SplitName]);
    }
    for (const [, labelSplits] of byLabel) {
      const got = counts(labelSplits);
      for (const name of SPLIT_NAMES) {
        expect(Math.abs(got[name] - ratios[name] * labelSplits.length)).toBeLessThanOrEqual(1);
      }
    }
  });
});
