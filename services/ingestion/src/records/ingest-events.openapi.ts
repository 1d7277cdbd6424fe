import { IncomingEventSchema } from '@refinery/contracts';
import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { z } from 'zod';
import { MAX_BATCH_EVENTS } from '../config';

// The OpenAPI body schema comes from the same zod definition that validates requests.
const event = z.toJSONSchema(IncomingEventSchema, {
  target: 'openapi-3.0',
  io: 'input',
  unrepresentable: 'any',
}) as SchemaObject;

export const ingestBodySchema: SchemaObject = {
  oneOf: [
    event,
    {
      type: 'object',
      required: ['events'],
      properties: {
        events: { type: 'array', minItems: 1, maxItems: MAX_BATCH_EVENTS, items: event },
      },
    },
  ],
};

export { problemResponse } from '@refinery/runtime';

export const acceptedSchema: SchemaObject = {
  oneOf: [
    {
      type: 'object',
      properties: {
        id: { type: 'string', format: 'uuid' },
        status: { enum: ['accepted', 'duplicate'] },
      },
    },
    {
      type: 'object',
      properties: {
        accepted: { type: 'integer' },
        duplicates: { type: 'integer' },
        invalid: { type: 'integer' },
        results: {
          type: 'array',
          items: {
            type: 'object',
            properties: {
              index: { type: 'integer' },
              status: { enum: ['accepted', 'duplicate', 'invalid'] },
              id: { type: 'string' },
              errors: { type: 'array' },
            },
          },
        },
      },
    },
  ],
};
