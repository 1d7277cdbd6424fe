import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { CleanseRequestSchema } from './cleanse-sql';
import { RuleSchema } from './rule-definition';

// Request bodies are documented from the zod schemas that validate them.
const jsonSchema = (schema: z.ZodType) =>
  z.toJSONSchema(schema, {
    target: 'openapi-3.0',
    io: 'input',
    unrepresentable: 'any',
  }) as SchemaObject;

export const ruleBody = jsonSchema(RuleSchema);
export const cleanseBody = jsonSchema(CleanseRequestSchema);

const problem: SchemaObject = {
  type: 'object',
  description: 'RFC 9457 problem details; `errors` names each bad field by path',
  properties: {
    type: { type: 'string' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};

export const problemResponse = (status: number, description: string) => ({
  status,
  description,
  content: { 'application/problem+json': { schema: problem } },
});
