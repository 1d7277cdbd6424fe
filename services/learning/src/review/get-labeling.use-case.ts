import { Injectable } from '@nestjs/common';
import { problemFor, ProblemException } from '@refinery/runtime';
import { DatasetClient, DatasetUnavailableError } from '../shared/dataset-client';

/** A person waits on the console: past this, the page says dataset-versioning cannot answer. */
const TIMEOUT_MS = 5_000;

interface Dataset {
  name: string;
  description: string | null;
  created_at: string;
}

/** dataset-versioning's agreement report (Cohen for two labelers, Fleiss, Krippendorff). */
type Agreement = Record<string, unknown>;
/** One labeler's sessions, pace and agreement, as dataset-versioning reports them. */
type Labeler = Record<string, unknown>;

export interface LabelingFigures {
  datasets: Array<Dataset & { agreement: Agreement; labelers: Labeler[] }>;
}

/** The console's labeling page: each of the tenant's datasets with its labelers' agreement. */
@Injectable()
export class GetLabelingUseCase {
  constructor(private readonly datasets: DatasetClient) {}

  async execute(apiKey: string): Promise<LabelingFigures> {
    // Whatever keeps an answer from coming back is a 502 that names the service.
    const get = async <T>(path: string, query: Record<string, string> = {}): Promise<T> => {
      try {
        return JSON.parse(await this.datasets.get(path, apiKey, query, TIMEOUT_MS)) as T;
      } catch (error) {
        if (error instanceof DatasetUnavailableError)
          throw new ProblemException(problemFor(502, error.message));
        throw error;
      }
    };
    const list = await get<Dataset[]>('/api/datasets');
    const figures = await Promise.all(
      list.map(async ({ name, description, created_at }) => {
        const [agreement, labelers] = await Promise.all([
          get<Agreement>('/api/labeling/agreement', { dataset: name }),
          get<Labeler[]>('/api/labeling/labelers', { dataset: name }),
        ]);
        return { name, description, created_at, agreement, labelers };
      }),
    );
    return { datasets: figures };
  }
}
