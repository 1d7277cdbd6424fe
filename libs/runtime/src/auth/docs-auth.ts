import type { NextFunction, Request, Response } from 'express';
import { problemFor, sendProblem } from '../http/problem';
import { credentialOf } from './api-key';
import type { Authenticator } from './authenticator';

/**
 * The OpenAPI pages answer any valid key. A browser has no header to send, so it is asked
 * for HTTP Basic credentials: the key as the user name, no password.
 */
export function docsAuth(authenticator: Authenticator) {
  return (req: Request, res: Response, next: NextFunction): void => {
    const credential = credentialOf(req.headers);
    const refuse = (detail: string) => {
      res.setHeader('WWW-Authenticate', 'Basic realm="Refinery API (your API key as user name)"');
      sendProblem(res, { ...problemFor(401, detail), instance: req.originalUrl });
    };
    if (!credential) return refuse('the API documentation needs an API key');
    authenticator.authenticate(credential).then(
      (principal) => (principal ? next() : refuse('the API key is not known or has been revoked')),
      (error: unknown) => next(error),
    );
  };
}
