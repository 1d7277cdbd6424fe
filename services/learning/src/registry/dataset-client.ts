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

/** dataset-versioning could not give the commit: unreachable, refused, or no such commit. */
export class DatasetUnavailableError extends Error {
  constructor(
    message: string,
    /** 4xx: asking again will not help. */
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'DatasetUnavailableError';
  }
}

/**
 * Reads a commit's examples from dataset-versioning's export, as the operator acting for the
 * tenant: retraining happens on an event, with no person's key at hand. The split is the
 * export's stratified one, so every version of the dataset splits the same way.
 */
@Injectable()
export class DatasetClient {
  constructor(@Inject(LEARNING_CONFIG) private readonly config: LearningConfig) {}

  async examples(tenant: string, dataset: string, ref: string): Promise<DatasetRow[]> {
    const text = await this.get(tenant, `${encodeURIComponent(dataset)}/export`, {
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
      await this.get(tenant, `${encodeURIComponent(dataset)}/log`, { ref, limit: '1' }),
    ) as { hash: string }[];
    if (!log[0]) throw new DatasetUnavailableError(`${dataset} has no commit at ${ref}`, true);
    return log[0].hash;
  }

  private async get(tenant: string, path: string, query: Record<string, string>): Promise<string> {
    const key = this.config.REFINERY_ADMIN_API_KEY;
    if (!key) {
      throw new DatasetUnavailableError(
        'retraining reads datasets as the operator: set REFINERY_ADMIN_API_KEY',
        true,
      );
    }
    const url = new URL(`/api/datasets/${path}`, this.config.DATASETS_URL);
    for (const [k, v] of Object.entries({ ...query, tenant })) url.searchParams.set(k, v);
    let res: Response;
    try {
      res = await fetch(url, {
        headers: { 'x-api-key': key },
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new DatasetUnavailableError(
        `dataset-versioning at ${this.config.DATASETS_URL} cannot be reached: ${String(error)}`,
        false,
      );
    }
    const text = await res.text();
    if (!res.ok) {
      throw new DatasetUnavailableError(
        `dataset-versioning answered ${res.status} for ${url.pathname}?ref=${query.ref}: ${text.slice(0, 300)}`,
        res.status >= 400 && res.status < 500,
      );
    }
    return text;
  }
}
