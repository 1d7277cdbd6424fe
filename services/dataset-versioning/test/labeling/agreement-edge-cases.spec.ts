import {
  agreementReport,
  cohensKappa,
  fleissKappa,
  krippendorffAlpha,
} from '../../src/labeling/agreement';
import { fromRows } from './ratings';

describe('agreement at the edges', () => {
  it('is 1 for kappa and alpha when the raters always agree, over several labels', () => {
    const ratings = fromRows(
      ['ann', 'ben'],
      [
        ['cat', 'cat'],
        ['dog', 'dog'],
        ['bird', 'bird'],
      ],
    );
    const report = agreementReport(ratings);
    expect(report.cohen).toMatchObject({ kappa: 1, observed: 1, standard_error: 0 });
    expect(report.cohen?.ci95).toEqual({ low: 1, high: 1 });
    expect(report.fleiss.kappa).toBe(1);
    expect(report.krippendorff_alpha).toBe(1);
    expect(report.notes).toEqual([]);
  });

  it('reports null, with a reason, when every rating is the same label', () => {
    const ratings = fromRows(
      ['ann', 'ben', 'cy'],
      [
        ['ok', 'ok', 'ok'],
        ['ok', 'ok', 'ok'],
      ],
    );
    const report = agreementReport(ratings);
    expect(report.fleiss).toEqual({ kappa: null, observed: 1, expected: 1, items: 2 });
    expect(report.krippendorff_alpha).toBeNull();
    expect(report.notes).toEqual([
      `Fleiss' kappa is undefined: every rating is "ok", so chance agreement is 1`,
      `Krippendorff's alpha is undefined: every pairable value is "ok"`,
    ]);
    const two = cohensKappa(
      fromRows(
        ['ann', 'ben'],
        [
          ['ok', 'ok'],
          ['ok', 'ok'],
        ],
      ),
    );
    expect(two).toMatchObject({ kappa: null, observed: 1, expected: 1, standard_error: null });
    expect(two.notes).toEqual([
      `Cohen's kappa is undefined: both raters gave every shared item "ok"`,
    ]);
  });

  it('reports nulls for a single rater, and leaves Cohen out', () => {
    const report = agreementReport(fromRows(['ann'], [['cat'], ['dog']]));
    expect(report).toEqual({
      items: 2,
      raters: 1,
      fleiss: { kappa: null, observed: null, expected: null, items: 0 },
      krippendorff_alpha: null,
      per_rater: [{ rater: 'ann', items: 2, comparisons: 0, agreement_with_others: null }],
      notes: [
        "Fleiss' kappa: skipped 2 item(s) with a single rating",
        "Fleiss' kappa: no item has two or more ratings",
        "Krippendorff's alpha: skipped 2 item(s) with a single rating",
        "Krippendorff's alpha: no item has two or more ratings",
        'ann shares no item with another rater: agreement_with_others is null',
      ],
    });
    expect(cohensKappa(fromRows(['ann'], [['cat']]))).toMatchObject({ kappa: null, items: 0 });
  });

  it('counts only the items both raters labelled for Cohen', () => {
    const ratings = fromRows(
      ['ann', 'ben'],
      [
        ['a', 'a'],
        ['b', 'b'],
        ['a', 'b'],
        ['b', 'a'],
        ['a', '.'],
        ['.', 'b'],
      ],
    );
    // Shared: 4 items, po = 2/4, both raters 50/50 so pe = 1/2, kappa = 0.
    expect(cohensKappa(ratings)).toMatchObject({
      items: 4,
      observed: 0.5,
      expected: 0.5,
      kappa: 0,
    });
    expect(
      cohensKappa(
        fromRows(
          ['ann', 'ben'],
          [
            ['a', '.'],
            ['.', 'b'],
          ],
        ),
      ).notes,
    ).toEqual(["Cohen's kappa: no item was labelled by both raters"]);
  });

  it("uses each item's own rater count in Fleiss' kappa when counts differ", () => {
    // u1 a,a,a: P = (9 - 3) / 6 = 1; u2 a,b: P = 0; u3 a,a,b,b: P = (8 - 4) / 12 = 1/3;
    // u4 has one rating and is skipped. P-bar = 4/9; pooled shares a 6/9, b 3/9, so
    // Pe-bar = 5/9 and kappa = (4/9 - 5/9) / (4/9) = -1/4.
    const ratings = fromRows(
      ['w', 'x', 'y', 'z'],
      [
        ['a', 'a', 'a', '.'],
        ['a', 'b', '.', '.'],
        ['a', 'a', 'b', 'b'],
        ['.', 'b', '.', '.'],
      ],
    );
    const k = fleissKappa(ratings);
    expect(k.items).toBe(3);
    expect(k.observed).toBeCloseTo(4 / 9, 12);
    expect(k.expected).toBeCloseTo(5 / 9, 12);
    expect(k.kappa).toBeCloseTo(-0.25, 12);
    expect(k.notes).toEqual([
      "Fleiss' kappa: skipped 1 item(s) with a single rating",
      "Fleiss' kappa: raters per item vary (2 to 4); each item uses its own count",
    ]);
    expect(krippendorffAlpha(ratings).values).toBe(9);
  });

  it("gives each rater's share of agreeing comparisons", () => {
    // u1: ann a, ben a, cy b; u2: ann a, ben a; u3: cy c alone; u4: dee alone.
    const ratings = fromRows(
      ['ann', 'ben', 'cy', 'dee'],
      [
        ['a', 'a', 'b', '.'],
        ['a', 'a', '.', '.'],
        ['.', '.', 'c', '.'],
        ['.', '.', '.', 'd'],
      ],
    );
    const report = agreementReport(ratings);
    expect(report.per_rater).toEqual([
      { rater: 'ann', items: 2, comparisons: 3, agreement_with_others: 2 / 3 },
      { rater: 'ben', items: 2, comparisons: 3, agreement_with_others: 2 / 3 },
      { rater: 'cy', items: 2, comparisons: 2, agreement_with_others: 0 },
      { rater: 'dee', items: 1, comparisons: 0, agreement_with_others: null },
    ]);
    expect(report.cohen).toBeUndefined();
    expect(report).toMatchObject({ items: 4, raters: 4 });
  });

  it('refuses a second label from one rater for an item, and Cohen over three raters', () => {
    const twice = [
      { item: 'i1', rater: 'ann', label: 'a' },
      { item: 'i1', rater: 'ann', label: 'b' },
    ];
    expect(() => agreementReport(twice)).toThrow(
      'rater "ann" has more than one label for item "i1"',
    );
    const three = fromRows(['ann', 'ben', 'cy'], [['a', 'a', 'b']]);
    expect(() => cohensKappa(three)).toThrow("Cohen's kappa compares two raters, got 3");
  });
});
