import type { FieldError } from '@refinery/contracts';

/** A schema that cannot be generated from, with every problem named by its path. */
export class SchemaError extends Error {
  constructor(readonly errors: FieldError[]) {
    super(errors.map((error) => `${error.path}: ${error.message}`).join('\n'));
    this.name = 'SchemaError';
  }
}

/** Collects problems while a schema is compiled, so one run reports all of them. */
export class Problems {
  private readonly errors: FieldError[] = [];

  add(path: string, message: string): void {
    this.errors.push({ path, message });
  }

  throwIfAny(): void {
    if (this.errors.length > 0) throw new SchemaError(this.errors);
  }
}
