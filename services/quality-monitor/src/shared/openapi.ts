import { jsonSchemaOf, problemResponse as problemAnswer } from '@refinery/runtime';

// Request bodies are documented from the zod schemas that validate them.
export const jsonSchema = jsonSchemaOf;

/** An error answer for `@ApiResponse`. */
export const problemResponse = (status: number, description: string) => ({
  status,
  ...problemAnswer(description),
});
