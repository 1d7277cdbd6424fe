import { cohensKappa, fleissKappa, krippendorffAlpha } from '../../src/labeling/agreement';
import { fromCounts, fromRows, fromTable } from './ratings';

describe("Cohen's kappa against published examples", () => {
  it('gives 0.4 on the 50 grant proposals (po 0.70, pe 0.50)', () => {
    // Wikipedia, "Cohen's kappa", worked example: A and B read 50 proposals; both yes 20,
    // A yes B no 5, A no B yes 10, both no 15: po = 0.7, pe = 0.5, kappa = 0.4.
    const k = cohensKappa(
      fromTable(
        ['yes', 'no'],
        [
          [20, 5],
          [10, 15],
        ],
      ),
    );
    expect(k.items).toBe(50);
    expect(k.observed).toBeCloseTo(0.7, 12);
    expect(k.expected).toBeCloseTo(0.5, 12);
    expect(k.kappa).toBeCloseTo(0.4, 12);
  });

  it('matches the kappa, ASE and 95% limits of a SAS PROC FREQ printout', () => {
    // SAS printout for the 3x3 table [[0,4,1],[0,8,0],[0,1,5]] (rater 1 in rows), kept in
    // statsmodels' stats/tests/test_inter_rater.py (TestUnweightedCohens): kappa 0.4842,
    // ASE 0.1380, 95% lower 0.2137, upper 0.7547.
    const k = cohensKappa(
      fromTable(
        ['1', '2', '3'],
        [
          [0, 4, 1],
          [0, 8, 0],
          [0, 1, 5],
        ],
      ),
    );
    expect(k.kappa).toBeCloseTo(0.4842, 4);
    expect(k.standard_error).toBeCloseTo(0.138, 4);
    expect(k.ci95?.low).toBeCloseTo(0.2137, 4);
    expect(k.ci95?.high).toBeCloseTo(0.7547, 4);
  });
});

describe("Fleiss' kappa against published examples", () => {
  it('gives 0.210 on the 10-subject, 14-rater, 5-category table', () => {
    // The table reproduced on Wikipedia, "Fleiss' kappa" (and in statsmodels' tests):
    // P-bar = 0.378, Pe-bar = 0.213, kappa = 0.210.
    const table = [
      [0, 0, 0, 0, 14],
      [0, 2, 6, 4, 2],
      [0, 0, 3, 5, 6],
      [0, 3, 9, 2, 0],
      [2, 2, 8, 1, 1],
      [7, 7, 0, 0, 0],
      [3, 2, 6, 3, 0],
      [2, 5, 3, 2, 2],
      [6, 5, 2, 1, 0],
      [0, 2, 2, 3, 7],
    ];
    const k = fleissKappa(fromCounts(['1', '2', '3', '4', '5'], table));
    expect(k.items).toBe(10);
    expect(k.observed).toBeCloseTo(0.378, 3);
    expect(k.expected).toBeCloseTo(0.213, 3);
    expect(k.kappa).toBeCloseTo(0.21, 3);
    expect(k.notes).toEqual([]);
  });

  it("gives 0.430 on Fleiss (1971)'s 30 patients rated by 6 psychiatrists", () => {
    // Fleiss (1971), Psychological Bulletin 76(5): kappa = .430 over 5 diagnoses; the raw
    // ratings are R irr's `diagnoses`, where kappam.fleiss gives 0.4302445.
    const diagnoses = [
      '444444',
      '222555',
      '233335',
      '555555',
      '222444',
      '113333',
      '333355',
      '113334',
      '114444',
      '555555',
      '144444',
      '124444',
      '222333',
      '144444',
      '224445',
      '333335',
      '111455',
      '111112',
      '224444',
      '133555',
      '555555',
      '244444',
      '224555',
      '114444',
      '144445',
      '222224',
      '111155',
      '224444',
      '133333',
      '555555',
    ].map((row) => row.split(''));
    const k = fleissKappa(fromRows(['p1', 'p2', 'p3', 'p4', 'p5', 'p6'], diagnoses));
    expect(k.items).toBe(30);
    expect(k.kappa).toBeCloseTo(0.4302445, 7);
  });
});

describe("Krippendorff's alpha against the published example", () => {
  it('gives 0.743 on the nominal data with missing values (4 observers, 12 units)', () => {
    // Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", section C: alpha = 0.743.
    // Unit 12 has one value and is unpairable, leaving n = 40 values in 11 units.
    const observers = ['A', 'B', 'C', 'D'];
    const byObserver = [
      '1 2 3 3 2 1 4 1 2 . . .',
      '1 2 3 3 2 2 4 1 2 5 . 3',
      '. 3 3 3 2 3 4 2 2 5 1 .',
      '1 2 3 3 2 4 4 1 2 5 1 .',
    ].map((line) => line.split(' '));
    const units = byObserver[0].map((_, u) => byObserver.map((values) => values[u]));
    const a = krippendorffAlpha(fromRows(observers, units));
    expect(a.values).toBe(40);
    expect(a.items).toBe(11);
    expect(a.alpha).toBeCloseTo(0.743, 3);
    // Counting the table: n_c = 9, 13, 10, 5, 3 and the off-diagonal coincidences sum to 8
    // (units 2 and 8 give 2 each, unit 6 gives 4), so alpha = 1 - 39 * 8 / (40^2 - 384).
    expect(a.alpha).toBeCloseTo(1 - (39 * 8) / (1600 - 384), 12);
    expect(a.notes).toEqual(["Krippendorff's alpha: skipped 1 item(s) with a single rating"]);
  });
});
