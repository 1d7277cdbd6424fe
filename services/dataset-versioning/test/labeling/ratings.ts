import type { Rating } from '../../src/labeling/agreement';

/** Rows are items, columns raters; '.' is a missing rating. */
export function fromRows(raters: string[], rows: string[][]): Rating[] {
  return rows.flatMap((row, i) =>
    row.flatMap((label, j) =>
      label === '.' ? [] : [{ item: `u${i + 1}`, rater: raters[j], label }],
    ),
  );
}

/** A subjects x categories count table, as Fleiss tabulates it; rater ids are per item. */
export function fromCounts(categories: string[], table: number[][]): Rating[] {
  return table.flatMap((counts, i) => {
    const labels = counts.flatMap((n, j) => Array<string>(n).fill(categories[j]));
    return labels.map((label, r) => ({ item: `s${i + 1}`, rater: `r${r + 1}`, label }));
  });
}

/** A two-rater contingency table: counts[i][j] items labelled categories[i] by a, [j] by b. */
export function fromTable(categories: string[], counts: number[][]): Rating[] {
  const pairs = counts.flatMap((row, i) =>
    row.flatMap((n, j) => Array<[string, string]>(n).fill([categories[i], categories[j]])),
  );
  return pairs.flatMap(([x, y], k) => [
    { item: `i${k + 1}`, rater: 'a', label: x },
    { item: `i${k + 1}`, rater: 'b', label: y },
  ]);
}
