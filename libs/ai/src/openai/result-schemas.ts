import { ACTIONS, AI_LABELS, PROBLEM_CODES } from '@refinery/contracts';
import { z } from 'zod';
import type { AnalysisResult, ClassificationResult, ResolutionResult } from '../provider';

const confidence = z.number().min(0).max(1);

// Strict structured outputs reject minLength/maxLength, so string bounds are refinements:
// checked on the answer, left out of the JSON schema sent to the server.
const text = (max: number) =>
  z.string().refine((s) => s.trim().length > 0 && s.length <= max, {
    message: `must be non-blank and at most ${max} characters`,
  });

export const AnalysisResultSchema = z
  .object({
    problems: z
      .array(z.object({ code: z.enum(PROBLEM_CODES), confidence }))
      .min(1)
      .max(PROBLEM_CODES.length),
  })
  // A record cannot be both fine and faulty; storing both would mislead the next stage.
  .refine((r) => r.problems.length === 1 || r.problems.every((p) => p.code !== 'NONE'), {
    message: 'NONE must be the only problem when it is reported',
    path: ['problems'],
  });

export const ClassificationResultSchema = z.object({
  label: z.enum(AI_LABELS),
  confidence,
  explanation: z
    .array(z.object({ feature: text(200), weight: z.number() }))
    .min(1)
    .max(20),
});

export const ResolutionResultSchema = z.object({
  action: z.enum(ACTIONS),
  automatable: z.boolean(),
  rationale: text(2000),
  confidence,
});

// The compile-time link to provider.ts: a schema drifting from the interface fails to build.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const _inSync: [
  Same<z.infer<typeof AnalysisResultSchema>, AnalysisResult>,
  Same<z.infer<typeof ClassificationResultSchema>, ClassificationResult>,
  Same<z.infer<typeof ResolutionResultSchema>, ResolutionResult>,
] = [true, true, true];
