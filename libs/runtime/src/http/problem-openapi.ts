import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';

const text: SchemaObject = { type: 'string' };
const fieldError: SchemaObject = { type: 'object', properties: { path: text, message: text } };

/** RFC 9457 problem details, as every service answers an error. */
const problemSchema: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details (application/problem+json); `errors` names each bad field',
  properties: {
    ...Object.fromEntries(['type', 'title', 'detail', 'instance'].map((key) => [key, text])),
    status: { type: 'integer' },
    errors: { type: 'array', items: fieldError },
  },
};

/** An error answer for `@ApiResponse`: `{ status: 404, ...problemResponse('No such rule') }`. */
export const problemResponse = (description: string) => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** A request body documented from the zod schema that validates it. */
export const jsonSchemaOf = (schema: z.ZodType) =>
  z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as SchemaObject;
