import { createHash } from 'node:crypto';
import { cosineSimilarity, LocalEmbedder } from '@refinery/ai';
import { paraphrasePairs, type SentencePair } from '../src';
import { INTENTS } from '../src/text/paraphrase';

const SEED = 20250101;

describe('paraphrasePairs', () => {
  it('gives the pairs this version has always given: a change must be deliberate', () => {
    // Update only on purpose (a new phrase, another edit): measured figures change with it.
    const pairs = paraphrasePairs(SEED, 200);
    const hash = createHash('sha256').update(JSON.stringify(pairs)).digest('hex');
    expect(hash).toBe('115e96273b00e7441e0a45a1d3eb0ef8fc3a588d857fe191c339586d4e99c277');
    expect(pairs[1]).toMatchObject({
      a:
        'customer has not received it altohugh la poste has it marked as delivered. ship the ' +
        'sofa cover again. please learn from this.',
      b:
        'customer has not received it altohugh la poste has it marked as delivered. resend the ' +
        'order. please learn from this.',
      paraphrase: true,
      intent: 'not_received',
      relation: 'paraphrase',
      edits: ['action_wording'],
    });
  });

  it('is the same for the same seed, a prefix of a longer run, and other for another seed', () => {
    const pairs = paraphrasePairs(7, 300);
    expect(paraphrasePairs(7, 300)).toEqual(pairs);
    expect(paraphrasePairs(7, 120)).toEqual(pairs.slice(0, 120));
    expect(paraphrasePairs(8, 300)).not.toEqual(pairs);
  });

  it('labels every pair by how b was made from a', () => {
    const pairs = paraphrasePairs(SEED, 2000);
    const of = (relation: SentencePair['relation']) => pairs.filter((p) => p.relation === relation);

    expect(of('paraphrase')).toHaveLength(1000);
    expect(of('different_intent').length).toBeGreaterThan(400);
    expect(of('different_fact').length).toBeGreaterThan(400);
    for (const pair of pairs) {
      expect(pair.paraphrase).toBe(pair.relation === 'paraphrase');
      expect(pair.a).not.toMatch(/[{}]|undefined/);
      expect(pair.b).not.toMatch(/[{}]|undefined/);
      expect(INTENTS[pair.intent].actions).toContain(pair.action);
      expect(INTENTS[pair.intentB].actions).toContain(pair.actionB);
      if (pair.relation === 'paraphrase') {
        expect([pair.intentB, pair.actionB]).toEqual([pair.intent, pair.action]);
        expect(pair.edits.length).toBeGreaterThanOrEqual(1);
        expect(pair.edits.length).toBeLessThanOrEqual(3);
      } else if (pair.relation === 'different_fact') {
        expect(pair.intentB).toBe(pair.intent);
        expect(pair.actionB).not.toBe(pair.action);
      } else {
        expect(pair.intentB).not.toBe(pair.intent);
        expect(pair.edits).toEqual([]);
      }
    }
    expect(new Set(pairs.map((p) => p.intent))).toEqual(new Set(Object.keys(INTENTS)));
    // Every kind of edit is used, so the measured recall covers all of them.
    expect(new Set(pairs.flatMap((p) => p.edits)).size).toBe(8);
  });

  it('follows the shares and edit counts asked for', () => {
    const pairs = paraphrasePairs(SEED, 400, {
      paraphraseShare: 0.25,
      differentIntentShare: 1,
      maxEdits: 1,
    });
    expect(pairs.filter((p) => p.paraphrase)).toHaveLength(100);
    expect(pairs.filter((p) => p.relation === 'different_fact')).toHaveLength(0);
    expect(pairs.every((p) => p.edits.length <= 1)).toBe(true);
  });

  it('rejects bad options', () => {
    expect(() => paraphrasePairs(1, -1)).toThrow('count must be a safe integer >= 0, got -1');
    expect(() => paraphrasePairs(1, 1, { paraphraseShare: 2 })).toThrow('paraphraseShare');
    expect(() => paraphrasePairs(1, 1, { differentIntentShare: -1 })).toThrow('IntentShare');
    expect(() => paraphrasePairs(1, 1, { maxEdits: 0 })).toThrow('maxEdits');
    expect(() => paraphrasePairs(1.5, 1)).toThrow('seed must be a safe integer');
  });
});

/**
 * How well "cosine >= 0.85 means duplicate" (the learning service's default threshold) sorts
 * these pairs with the local embedder. The figures asserted are those measured, less a small
 * margin, so a change to the embedder or the generator that makes de-duplication worse fails.
 */
describe('de-duplication with the local embedder at cosine 0.85', () => {
  const THRESHOLD = 0.85;
  const embedder = new LocalEmbedder();

  function measure(pairs: SentencePair[]) {
    const scored = pairs.map((pair) => ({
      pair,
      similarity: cosineSimilarity(embedder.vector(pair.a), embedder.vector(pair.b)),
    }));
    const duplicates = scored.filter((s) => s.similarity >= THRESHOLD);
    const truePositives = duplicates.filter((s) => s.pair.paraphrase).length;
    const above = (relation: SentencePair['relation']) =>
      duplicates.filter((s) => s.pair.relation === relation).length;
    return {
      precision: truePositives / duplicates.length,
      recall: truePositives / pairs.filter((p) => p.paraphrase).length,
      differentIntentAbove: above('different_intent'),
      differentFactAbove: above('different_fact'),
    };
  }

  it('on 2,000 pairs, half paraphrases of one to three edits', () => {
    // Measured: precision 0.936, recall 0.526 (526 of 1,000 paraphrases, 36 false duplicates,
    // all of them the same situation with another action).
    const result = measure(paraphrasePairs(SEED, 2000));

    expect(result.precision).toBeGreaterThanOrEqual(0.92);
    expect(result.recall).toBeGreaterThanOrEqual(0.5);
    expect(result.differentIntentAbove).toBe(0);
    expect(result.differentFactAbove).toBeLessThanOrEqual(45);
  });

  it('on 2,000 pairs whose paraphrases are near-duplicates (one edit)', () => {
    // Measured: precision 0.934, recall 0.804 (57 false duplicates, all another action).
    const result = measure(paraphrasePairs(SEED, 2000, { maxEdits: 1 }));

    expect(result.precision).toBeGreaterThanOrEqual(0.92);
    expect(result.recall).toBeGreaterThanOrEqual(0.78);
    expect(result.differentIntentAbove).toBe(0);
  });
});
