import { HttpException } from '@nestjs/common';
import type { Response } from 'express';
import type { FieldError } from '@refinery/contracts';

/** An RFC 9457 problem document. `errors` names each bad field by path. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  instance?: string;
  errors?: FieldError[];
}

const TITLES: Record<number, [string, string]> = {
  400: ['bad-request', 'Bad request'],
  401: ['unauthorized', 'Missing or unknown API key'],
  403: ['forbidden', 'Forbidden'],
  404: ['not-found', 'Not found'],
  409: ['conflict', 'Conflict'],
  413: ['payload-too-large', 'Payload too large'],
  415: ['unsupported-media-type', 'Unsupported media type'],
  429: ['rate-limited', 'Too many events'],
  502: ['bad-gateway', 'A service this one depends on did not answer'],
  503: ['unavailable', 'Service unavailable'],
};

export const problemType = (slug: string): string => `https://refinery.dev/problems/${slug}`;

export function problemFor(status: number, detail?: string, extra: Partial<Problem> = {}): Problem {
  const [slug, title] = TITLES[status] ?? ['internal-error', 'Internal error'];
  return { type: problemType(slug), title, status, ...(detail ? { detail } : {}), ...extra };
}

/** Throw from a controller or use case; the problem filter renders it as problem+json. */
export class ProblemException extends HttpException {
  constructor(
    readonly problem: Problem,
    readonly retryAfterSeconds?: number,
  ) {
    super(problem, problem.status);
  }
}

export function sendProblem(res: Response, problem: Problem, retryAfterSeconds?: number): void {
  if (retryAfterSeconds !== undefined)
    res.setHeader('Retry-After', String(Math.max(1, Math.ceil(retryAfterSeconds))));
  res.status(problem.status).type('application/problem+json').send(JSON.stringify(problem));
}
