import { Inject, Injectable } from '@nestjs/common';
import { problemFor, ProblemException } from '@refinery/runtime';
import { LEARNING_CONFIG, type LearningConfig } from '../config';

/** How long dataset-versioning may take before the console is told it cannot be reached. */
const TIMEOUT_MS = 5_000;

/**
 * dataset-versioning's HTTP API, called with the caller's own key: it decides, as for any
 * client, which tenant's datasets the key may read. Whatever keeps an answer from coming
 * back is a 502 that names the service.
 */
@Injectable()
export class LabelingClient {
  constructor(@Inject(LEARNING_CONFIG) private readonly config: LearningConfig) {}

  async get<T>(path: string, apiKey: string): Promise<T> {
    const url = new URL(path, this.config.DATASETS_URL);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { 'x-api-key': apiKey, accept: 'application/json' },
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw unreachable(`dataset-versioning cannot be reached at ${url.origin}: ${causeOf(error)}`);
    }
    if (!res.ok) {
      throw unreachable(
        `dataset-versioning answered ${res.status} to GET ${url.pathname}${url.search}`,
      );
    }
    return (await res.json()) as T;
  }
}

const unreachable = (detail: string) => new ProblemException(problemFor(502, detail));

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}
