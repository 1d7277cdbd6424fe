import { Injectable } from '@nestjs/common';
import { LabelingClient } from './labeling.client';

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
  constructor(private readonly datasets: LabelingClient) {}

  async execute(apiKey: string): Promise<LabelingFigures> {
    const list = await this.datasets.get<Dataset[]>('/api/datasets', apiKey);
    const figures = await Promise.all(
      list.map(async ({ name, description, created_at }) => {
        const query = `?dataset=${encodeURIComponent(name)}`;
        const [agreement, labelers] = await Promise.all([
          this.datasets.get<Agreement>(`/api/labeling/agreement${query}`, apiKey),
          this.datasets.get<Labeler[]>(`/api/labeling/labelers${query}`, apiKey),
        ]);
        return { name, description, created_at, agreement, labelers };
      }),
    );
    return { datasets: figures };
  }
}
