/** Input checks shared by the statistics: each throws a RangeError that names the field. */

export function requireFinite(value: number, field: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${field} must be a finite number, got ${value}`);
  }
}

export function requirePositive(value: number, field: string): void {
  requireFinite(value, field);
  if (value <= 0) throw new RangeError(`${field} must be greater than 0, got ${value}`);
}

export function requireNonNegative(value: number, field: string): void {
  requireFinite(value, field);
  if (value < 0) throw new RangeError(`${field} must not be negative, got ${value}`);
}

export function requireCount(value: number, field: string): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${field} must be a non-negative integer, got ${value}`);
  }
}

export function requirePositiveInteger(value: number, field: string): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${field} must be a positive integer, got ${value}`);
  }
}

/** A probability strictly between 0 and 1, such as alpha, power or a rate. */
export function requireOpenUnit(value: number, field: string): void {
  requireFinite(value, field);
  if (value <= 0 || value >= 1) {
    throw new RangeError(`${field} must be between 0 and 1 (exclusive), got ${value}`);
  }
}
