import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Problem, ProblemException, problemFor, sendProblem } from './problem';

/** Renders every HTTP error as application/problem+json; leaves other contexts alone. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() !== 'http') throw exception;
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (exception instanceof ProblemException) {
      return sendProblem(
        res,
        { ...exception.problem, instance: req.originalUrl },
        exception.retryAfterSeconds,
      );
    }
    if (exception instanceof HttpException) {
      const body = exception.getResponse();
      const detail = typeof body === 'string' ? body : (body as { message?: unknown }).message;
      return sendProblem(
        res,
        problemFor(exception.getStatus(), String(detail ?? exception.message), {
          instance: req.originalUrl,
        }),
      );
    }
    this.logger.error(exception instanceof Error ? exception : String(exception));
    sendProblem(
      res,
      problemFor(500, 'an unexpected error occurred; it has been logged', {
        instance: req.originalUrl,
      }),
    );
  }
}

interface BodyParserError {
  status?: number;
  type?: string;
  limit?: number;
  length?: number;
}

/** Body-parser fails before Nest's filters run: give its errors the same problem+json shape. */
export function bodyParserErrors(
  err: unknown,
  req: Request,
  res: Response,
  next: NextFunction,
): void {
  const e = err as BodyParserError;
  if (!e || typeof e.status !== 'number' || !e.type) return next(err);
  let problem: Problem;
  if (e.type === 'entity.too.large') {
    problem = problemFor(
      413,
      `the request body is ${e.length} bytes; the limit is ${e.limit} bytes`,
    );
  } else if (e.type === 'entity.parse.failed') {
    problem = problemFor(400, 'the request body is not valid JSON');
  } else {
    problem = problemFor(e.status, (err as Error).message);
  }
  sendProblem(res, { ...problem, instance: req.originalUrl });
}
