import { ExceptionSchema, type ProblemCode } from '@refinery/contracts';
import { tokenize } from '../local/tokenize';
import { generateDriftedExceptions } from './drift';
import { labelFor } from './labelling-rules';
import type { ReportedBy } from './scenarios';
import { generateSeedSet, type SeedExample } from './seed-set';

const seedWords = new Set(
  generateSeedSet({ seed: 20_250_101, size: 3000 }).flatMap((e) =>
    tokenize(String(e.record.payload.description ?? e.record.payload.notes ?? '')),
  ),
);

/** Share of the words in the descriptions that the seed set never uses (numbers aside). */
function unseenShare(examples: SeedExample[]): number {
  const words = examples
    .flatMap((e) => tokenize(String(e.record.payload.description)))
    .filter((word) => !word.startsWith('<'));
  return words.filter((word) => !seedWords.has(word)).length / words.length;
}

const share = (examples: SeedExample[], test: (e: SeedExample) => boolean) =>
  examples.filter(test).length / examples.length;

describe('generateDriftedExceptions', () => {
  const drifted = generateDriftedExceptions({ seed: 1, size: 1000 });

  it('gives the same records for the same seed and others for another seed', () => {
    expect(generateDriftedExceptions({ seed: 1, size: 1000 })).toEqual(drifted);
    const other = generateDriftedExceptions({ seed: 2, size: 1000 });
    const same = other.filter(
      (e, i) => JSON.stringify(e.record.payload) === JSON.stringify(drifted[i].record.payload),
    );
    expect(same).toEqual([]);
  });

  it('labels every record by the rules, without noise', () => {
    for (const { problems, label, record } of drifted) {
      const facts = {
        recordType: 'exception' as const,
        problems: problems.filter((code): code is ProblemCode => code !== 'NONE'),
        subtypes: {},
        reportedBy: record.payload.reported_by as ReportedBy | undefined,
        wantsRefund: false,
        repeat: false,
      };
      expect(label).toBe(labelFor(facts));
    }
    const other = drifted.filter((e) => e.label === 'OTHER');
    expect(other.length).toBeGreaterThan(50);
    expect(other.every((e) => e.action === 'ESCALATE_HUMAN')).toBe(true);
  });

  it('writes valid exceptions with the usual fields but rarely the reported kind', () => {
    expect(drifted.every((e) => e.record.recordType === 'exception')).toBe(true);
    expect(drifted.filter((e) => !ExceptionSchema.safeParse(e.record.payload).success)).toEqual([]);
    expect(share(drifted, (e) => e.record.payload.reported_kind !== undefined)).toBeLessThan(0.25);
    expect(share(drifted, (e) => e.record.payload.carrier !== undefined)).toBeGreaterThan(0.75);
    expect(share(drifted, (e) => e.record.payload.promised_at !== undefined)).toBeGreaterThan(0.6);
    expect(share(drifted, (e) => e.record.payload.reported_by !== undefined)).toBeGreaterThan(0.85);
  });

  it('uses words the seed set never does, in proportion to the drift', () => {
    // Measured 0.54 at full drift; typos alone make 0.02.
    expect(unseenShare(drifted)).toBeGreaterThan(0.45);
    const half = unseenShare(generateDriftedExceptions({ seed: 1, size: 1000, drift: 0.5 }));
    expect(half).toBeGreaterThan(0.2);
    expect(half).toBeLessThan(0.35);
    expect(unseenShare(generateDriftedExceptions({ seed: 1, size: 1000, drift: 0 }))).toBeLessThan(
      0.05,
    );
  });

  it('refuses a drift outside [0, 1]', () => {
    expect(() => generateDriftedExceptions({ seed: 1, size: 10, drift: 1.5 })).toThrow(RangeError);
  });
});
