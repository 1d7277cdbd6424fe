import type { SchemaObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { jsonSchemaOf } from '@refinery/runtime';
import { z } from 'zod';
import { MAX_BATCH_EVENTS } from '../config';
import {
  SegmentContextSchema,
  SegmentIdentifySchema,
  SegmentTrackSchema,
} from './segment-call.schema';

// The OpenAPI bodies come from the same zod definitions that validate requests.
export const trackBodySchema = jsonSchemaOf(SegmentTrackSchema);
export const identifyBodySchema = jsonSchemaOf(SegmentIdentifySchema);
export const batchBodySchema = jsonSchemaOf(
  z.looseObject({
    batch: z
      .array(
        z.union([
          SegmentTrackSchema.extend({ type: z.literal('track') }),
          SegmentIdentifySchema.extend({ type: z.literal('identify') }),
        ]),
      )
      .min(1)
      .max(MAX_BATCH_EVENTS),
    context: SegmentContextSchema.optional(),
  }),
);

const success: SchemaObject = { type: 'boolean', enum: [true] };

export const successSchema: SchemaObject = {
  type: 'object',
  required: ['success'],
  properties: { success },
};

export const batchSuccessSchema: SchemaObject = {
  type: 'object',
  required: ['success', 'accepted', 'invalid', 'errors'],
  properties: {
    success,
    accepted: { type: 'integer', description: 'calls published' },
    invalid: { type: 'integer', description: 'calls refused, each named in errors' },
    errors: {
      type: 'array',
      items: {
        type: 'object',
        properties: { path: { type: 'string' }, message: { type: 'string' } },
      },
    },
  },
};
