/** One rater's current label for one item, as read from label_history. */
export interface Rating {
  item: string;
  rater: string;
  label: string;
}

/** Cohen's kappa for two raters over the items both labelled. */
export interface CohensKappa {
  kappa: number | null;
  /** Share of shared items with the same label (po). */
  observed: number | null;
  /** Agreement expected by chance from each rater's own label frequencies (pe). */
  expected: number | null;
  items: number;
  standard_error: number | null;
  ci95: { low: number; high: number } | null;
  notes: string[];
}

export interface FleissKappa {
  kappa: number | null;
  /** Mean per-item agreement (P-bar). */
  observed: number | null;
  /** Chance agreement from the pooled label frequencies (Pe-bar). */
  expected: number | null;
  items: number;
  notes: string[];
}

export interface KrippendorffAlpha {
  alpha: number | null;
  /** Items with at least two ratings: the only ones alpha can pair. */
  items: number;
  /** Pairable values (n in Krippendorff's notation). */
  values: number;
  notes: string[];
}

export interface RaterAgreement {
  rater: string;
  /** Items this rater labelled. */
  items: number;
  /** Ratings by other raters on this rater's items. */
  comparisons: number;
  agreement_with_others: number | null;
}

export interface AgreementReport {
  items: number;
  raters: number;
  cohen?: Omit<CohensKappa, 'notes'>;
  fleiss: Omit<FleissKappa, 'notes'>;
  krippendorff_alpha: number | null;
  per_rater: RaterAgreement[];
  notes: string[];
}

// The 97.5% normal quantile, scipy's norm.isf(0.025), as statsmodels' KappaResults uses.
const Z_975 = 1.959963984540054;

/**
 * Cohen (1960) kappa = (po - pe) / (1 - pe) over the items both raters labelled. The standard
 * error is the large-sample one of Fleiss, Cohen & Everitt (1969), the "ASE" SAS prints and
 * statsmodels' cohens_kappa returns; the 95% interval is kappa +/- 1.96 SE, not clipped to [-1, 1].
 * Fewer than two raters gives nulls; more than two is a caller error (use fleissKappa).
 */
export function cohensKappa(ratings: readonly Rating[]): CohensKappa {
  const items = byItem(ratings);
  const raters = distinctRaters(ratings);
  if (raters.length > 2) {
    throw new RangeError(
      `Cohen's kappa compares two raters, got ${raters.length}: see fleissKappa`,
    );
  }
  const none = { kappa: null, observed: null, expected: null, standard_error: null, ci95: null };
  if (raters.length < 2) {
    return { ...none, items: 0, notes: [`Cohen's kappa needs two raters, got ${raters.length}`] };
  }
  const [a, b] = raters;
  const pairs: Array<[string, string]> = [];
  for (const labels of items.values()) {
    const x = labels.get(a);
    const y = labels.get(b);
    if (x !== undefined && y !== undefined) pairs.push([x, y]);
  }
  if (pairs.length === 0) {
    return { ...none, items: 0, notes: ["Cohen's kappa: no item was labelled by both raters"] };
  }

  const n = pairs.length;
  const labels = [...new Set(pairs.flat())].sort();
  const p = labels.map(() => labels.map(() => 0));
  for (const [x, y] of pairs) p[labels.indexOf(x)][labels.indexOf(y)] += 1;
  for (const row of p) row.forEach((count, j) => (row[j] = count / n));
  const rowShare = p.map((row) => sum(row));
  const colShare = labels.map((_, j) => sum(p.map((row) => row[j])));
  const observed = sum(labels.map((_, i) => p[i][i]));
  const expected = sum(labels.map((_, i) => rowShare[i] * colShare[i]));
  if (labels.length === 1) {
    const notes = [`Cohen's kappa is undefined: both raters gave every shared item "${labels[0]}"`];
    return { ...none, observed, expected, items: n, notes };
  }

  const kappa = (observed - expected) / (1 - expected);
  let diagonal = 0;
  let offDiagonal = 0;
  p.forEach((row, i) =>
    row.forEach((share, j) => {
      if (i === j) diagonal += share * (1 - (rowShare[i] + colShare[i]) * (1 - kappa)) ** 2;
      else offDiagonal += share * (colShare[i] + rowShare[j]) ** 2;
    }),
  );
  const variance =
    (diagonal + (1 - kappa) ** 2 * offDiagonal - (kappa - expected * (1 - kappa)) ** 2) /
    ((1 - expected) ** 2 * n);
  // Perfect agreement gives 0 up to rounding, which may land just below it.
  const se = Math.sqrt(Math.max(0, variance));
  const ci95 = { low: kappa - Z_975 * se, high: kappa + Z_975 * se };
  return { kappa, observed, expected, items: n, standard_error: se, ci95, notes: [] };
}

/**
 * Fleiss (1971) kappa over items with at least two ratings. Fleiss assumes every item has the
 * same number of raters n; when counts differ, each item's P_i uses its own n_i,
 * P_i = (sum_j n_ij^2 - n_i) / (n_i (n_i - 1)), P-bar is the plain mean of P_i over items, and
 * p_j is label j's share of all ratings on those items. With equal counts this is Fleiss' formula.
 */
export function fleissKappa(ratings: readonly Rating[]): FleissKappa {
  const all = [...byItem(ratings).values()];
  const items = all.filter((labels) => labels.size >= 2);
  const notes = skippedNote("Fleiss' kappa", all.length - items.length);
  const sizes = new Set(items.map((labels) => labels.size));
  if (sizes.size > 1) {
    const range = `${Math.min(...sizes)} to ${Math.max(...sizes)}`;
    notes.push(`Fleiss' kappa: raters per item vary (${range}); each item uses its own count`);
  }
  const none = { kappa: null, observed: null, expected: null, items: items.length };
  if (items.length === 0) {
    return { ...none, notes: [...notes, "Fleiss' kappa: no item has two or more ratings"] };
  }

  const totals = new Map<string, number>();
  let ratingCount = 0;
  let observed = 0;
  for (const labels of items) {
    const n = labels.size;
    const counts = countLabels(labels.values());
    for (const [label, count] of counts) totals.set(label, (totals.get(label) ?? 0) + count);
    observed += (sum([...counts.values()].map((count) => count * count)) - n) / (n * (n - 1));
    ratingCount += n;
  }
  observed /= items.length;
  const expected = sum([...totals.values()].map((count) => (count / ratingCount) ** 2));
  if (totals.size === 1) {
    const label = [...totals.keys()][0];
    const why = `Fleiss' kappa is undefined: every rating is "${label}", so chance agreement is 1`;
    return { ...none, observed, expected, notes: [...notes, why] };
  }
  const kappa = (observed - expected) / (1 - expected);
  return { kappa, observed, expected, items: items.length, notes };
}

/**
 * Krippendorff's alpha for nominal labels, from the coincidence matrix o_ck:
 * alpha = 1 - (n - 1) * sum_{c != k} o_ck / sum_{c != k} n_c n_k.
 * Missing ratings are fine; an item with a single rating cannot be paired and is dropped.
 */
export function krippendorffAlpha(ratings: readonly Rating[]): KrippendorffAlpha {
  const all = [...byItem(ratings).values()];
  const units = all.filter((labels) => labels.size >= 2);
  const notes = skippedNote("Krippendorff's alpha", all.length - units.length);
  // n_c, the marginals of the coincidence matrix, are the counts of each pairable value.
  const values = countLabels(units.flatMap((labels) => [...labels.values()]));
  const marginals = [...values.values()];
  const n = sum(marginals);
  const none = { alpha: null, items: units.length, values: n };
  if (units.length === 0) {
    return { ...none, notes: [...notes, "Krippendorff's alpha: no item has two or more ratings"] };
  }
  if (values.size === 1) {
    const label = [...values.keys()][0];
    return {
      ...none,
      notes: [...notes, `Krippendorff's alpha is undefined: every pairable value is "${label}"`],
    };
  }

  const disagreeing = disagreeingCoincidences(units);
  const chancePairs = n * n - sum(marginals.map((nc) => nc * nc));
  return {
    alpha: 1 - ((n - 1) * disagreeing) / chancePairs,
    items: units.length,
    values: n,
    notes,
  };
}

/** Per rater: on the items they share with others, how often another rater gave the same label. */
export function raterAgreement(ratings: readonly Rating[]): RaterAgreement[] {
  const tally = new Map<string, { items: number; comparisons: number; agreements: number }>();
  for (const labels of byItem(ratings).values()) {
    for (const [rater, label] of labels) {
      const t = tally.get(rater) ?? { items: 0, comparisons: 0, agreements: 0 };
      t.items += 1;
      for (const [other, otherLabel] of labels) {
        if (other === rater) continue;
        t.comparisons += 1;
        if (otherLabel === label) t.agreements += 1;
      }
      tally.set(rater, t);
    }
  }
  // Rater ids are unique keys, so the comparison never meets a tie.
  return [...tally.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .map(([rater, { items, comparisons, agreements }]) => {
      const agreement_with_others = comparisons > 0 ? agreements / comparisons : null;
      return { rater, items, comparisons, agreement_with_others };
    });
}

/** Every statistic at once; undefined ones are null, with the reason in notes. */
export function agreementReport(ratings: readonly Rating[]): AgreementReport {
  const raters = distinctRaters(ratings);
  const { notes: fleissNotes, ...fleiss } = fleissKappa(ratings);
  const alpha = krippendorffAlpha(ratings);
  const perRater = raterAgreement(ratings);
  const notes = [...fleissNotes, ...alpha.notes];
  let cohen: Omit<CohensKappa, 'notes'> | undefined;
  if (raters.length === 2) {
    const { notes: cohenNotes, ...rest } = cohensKappa(ratings);
    cohen = rest;
    notes.unshift(...cohenNotes);
  }
  for (const r of perRater) {
    if (r.agreement_with_others === null) {
      notes.push(`${r.rater} shares no item with another rater: agreement_with_others is null`);
    }
  }
  return {
    items: byItem(ratings).size,
    raters: raters.length,
    ...(cohen ? { cohen } : {}),
    fleiss,
    krippendorff_alpha: alpha.alpha,
    per_rater: perRater,
    notes,
  };
}

/** item -> rater -> label; a second label from the same rater for an item is an error. */
function byItem(ratings: readonly Rating[]): Map<string, Map<string, string>> {
  const items = new Map<string, Map<string, string>>();
  for (const { item, rater, label } of ratings) {
    const labels = items.get(item) ?? new Map<string, string>();
    if (labels.has(rater)) {
      throw new Error(
        `rater "${rater}" has more than one label for item "${item}": pass the current one`,
      );
    }
    items.set(item, labels.set(rater, label));
  }
  return items;
}

/**
 * sum_{c != k} o_ck: each unit adds its ordered pairs of differing values from different raters,
 * m_u^2 - sum_c n_uc^2 of them, weighted 1 / (m_u - 1). The diagonal o_cc is never needed.
 */
function disagreeingCoincidences(units: Array<Map<string, string>>): number {
  let total = 0;
  for (const labels of units) {
    const m = labels.size;
    const counts = [...countLabels(labels.values()).values()];
    total += (m * m - sum(counts.map((n) => n * n))) / (m - 1);
  }
  return total;
}

function countLabels(labels: Iterable<string>): Map<string, number> {
  const counts = new Map<string, number>();
  for (const label of labels) counts.set(label, (counts.get(label) ?? 0) + 1);
  return counts;
}

function distinctRaters(ratings: readonly Rating[]): string[] {
  return [...new Set(ratings.map((r) => r.rater))].sort();
}

function skippedNote(statistic: string, skipped: number): string[] {
  return skipped > 0 ? [`${statistic}: skipped ${skipped} item(s) with a single rating`] : [];
}

function sum(values: readonly number[]): number {
  return values.reduce((total, v) => total + v, 0);
}
