/**
 * The inverse of a square matrix by Gauss-Jordan elimination with partial pivoting. Rows are
 * changed in place. Throws when the matrix is singular to working precision.
 */
export function invert(matrix: Float64Array[]): Float64Array[] {
  const size = matrix.length;
  const inverse = matrix.map((_, r) => {
    const row = new Float64Array(size);
    row[r] = 1;
    return row;
  });
  for (let col = 0; col < size; col++) {
    let pivot = col;
    for (let r = col + 1; r < size; r++) {
      if (Math.abs(matrix[r][col]) > Math.abs(matrix[pivot][col])) pivot = r;
    }
    if (Math.abs(matrix[pivot][col]) < 1e-300) throw new RangeError('singular matrix');
    [matrix[col], matrix[pivot]] = [matrix[pivot], matrix[col]];
    [inverse[col], inverse[pivot]] = [inverse[pivot], inverse[col]];
    const scale = 1 / matrix[col][col];
    for (let c = 0; c < size; c++) {
      matrix[col][c] *= scale;
      inverse[col][c] *= scale;
    }
    for (let r = 0; r < size; r++) {
      const factor = matrix[r][col];
      if (r === col || factor === 0) continue;
      for (let c = 0; c < size; c++) {
        matrix[r][c] -= factor * matrix[col][c];
        inverse[r][c] -= factor * inverse[col][c];
      }
    }
  }
  return inverse;
}
