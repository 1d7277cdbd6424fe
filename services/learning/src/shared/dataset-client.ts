import { Inject, Injectable } from '@nestjs/common';
import { LEARNING_CONFIG, type LearningConfig } from '../config';

/** One line of dataset-versioning's JSONL export. */
export interface DatasetRow {
  input: Record<string, unknown>;
  output: Record<string, unknown>;
  metadata: {
    id: string;
    type: string;
    split: 'train' | 'validation' | 'test';
    tier?: string | null;
    source_decision_id?: string | null;
  };
}

/** dataset-versioning gave no answer: unreachable, refused, or no such dataset or commit. */
export class DatasetUnavailableError extends Error {
  constructor(
    message: string,
    /** A 4xx: asking again will not help. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DatasetUnavailableError';
  }
}

function causeOf(error: unknown): string {
  const cause = (error as { cause?: { code?: string } }).cause;
  return cause?.code ?? (error instanceof Error ? error.message : String(error));
}

/**
 * dataset-versioning's HTTP API at DATASETS_URL. The console reads it with the reviewer's own
 * key, so dataset-versioning decides what the key may read; retraining reads a commit as the
 * operator acting for the tenant, since it runs on an event with no person's key at hand.
 */
@Injectable()
export class DatasetClient {
  constructor(@Inject(LEARNING_CONFIG) private readonly config: LearningConfig) {}

  /** A GET's body; 60 s for an export, less where a person waits. */
  async get(
    path: string,
    key: string,
    query: Record<string, string> = {},
    timeoutMs = 60_000,
  ): Promise<string> {
    const url = new URL(path, this.config.DATASETS_URL);
    for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { 'x-api-key': key },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new DatasetUnavailableError(
        `dataset-versioning cannot be reached at ${url.origin}: ${causeOf(error)}`,
        false,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      throw new DatasetUnavailableError(
        `dataset-versioning answered ${res.status} to GET ${url.pathname}${url.search}: ${text.slice(0, 300)}`,
        res.status >= 400 && res.status < 500,
      );
    }
    return text;
  }

  /** The examples of a commit, with the export's stratified split. */
  async examples(tenant: string, dataset: string, ref: string): Promise<DatasetRow[]> {
    const text = await this.asOperator(tenant, `${encodeURIComponent(dataset)}/export`, {
      format: 'jsonl',
      ref,
      stratify: 'true',
    });
    return text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as DatasetRow);
  }

  /** The commit hash a branch, tag or hash names. */
  async commit(tenant: string, dataset: string, ref: string): Promise<string> {
    const log = JSON.parse(
      await this.asOperator(tenant, `${encodeURIComponent(dataset)}/log`, { ref, limit: '1' }),
    ) as { hash: string }[];
    if (!log[0]) throw new DatasetUnavailableError(`${dataset} has no commit at ${ref}`, true);
    return log[0].hash;
  }

  private asOperator(tenant: string, path: string, query: Record<string, string>) {
    const key = this.config.REFINERY_ADMIN_API_KEY;
    if (!key) {
      throw new DatasetUnavailableError(
        'retraining reads datasets as the operator: set REFINERY_ADMIN_API_KEY',
        true,
      );
    }
    return this.get(`/api/datasets/${path}`, key, { ...query, tenant });
  }
}
