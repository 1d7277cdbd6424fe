import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { problemResponse as problemAnswer } from '@refinery/runtime';
import { z } from 'zod';

// Request bodies are documented from the zod schemas that validate them.
export const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as SchemaObject;

/** An error answer for `@ApiResponse`. */
export const problemResponse = (status: number, description: string) => ({
  status,
  ...problemAnswer(description),
});
