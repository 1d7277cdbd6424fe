import { Injectable } from '@nestjs/common';
import type { ServedModelName } from '@refinery/contracts';
import { ProblemException, problemFor } from '@refinery/runtime';
import { DatasetUnavailableError } from '../shared/dataset-client';
import { RegistryRepository, type RegisteredModel } from './registry.repository';

const notFound = (detail: string) => new ProblemException(problemFor(404, detail));

/** Reading the registry, and the answer a failed training gives over HTTP. */
@Injectable()
export class ModelRegistryUseCase {
  constructor(private readonly registry: RegistryRepository) {}

  list(tenant: string, name?: ServedModelName) {
    return this.registry.list(tenant, name);
  }

  async show(tenant: string, name: ServedModelName, version: number) {
    const model = await this.registry.find(tenant, name, version);
    if (!model) throw notFound(`model ${name}@${version} does not exist`);
    const history = (await this.registry.history(tenant, name)).filter(
      (c) => c.model_id === model.id,
    );
    return { ...model, history };
  }

  /** Metrics of two versions and their differences, label by label. */
  async compare(tenant: string, name: ServedModelName, a?: number, b?: number) {
    const all = await this.registry.list(tenant, name);
    const pick = (version: number | undefined, fallback: RegisteredModel | undefined) => {
      const model = version === undefined ? fallback : all.find((m) => m.version === version);
      if (!model) throw notFound(`model ${name}@${version ?? '(none)'} does not exist`);
      return model;
    };
    const left = pick(
      a,
      all.find((m) => m.stage === 'production'),
    );
    const right = pick(b, all[0]);
    const ma = left.metrics as {
      accuracy?: number;
      macro_f1?: number;
      calibration_error?: number;
      recall?: Record<string, number | null>;
    };
    const mb = right.metrics as typeof ma;
    const delta = (x?: number, y?: number) => (x === undefined || y === undefined ? null : y - x);
    const labels = [...new Set([...Object.keys(ma.recall ?? {}), ...Object.keys(mb.recall ?? {})])];
    return {
      a: left,
      b: right,
      difference: {
        accuracy: delta(ma.accuracy, mb.accuracy),
        macro_f1: delta(ma.macro_f1, mb.macro_f1),
        calibration_error: delta(ma.calibration_error, mb.calibration_error),
        recall: Object.fromEntries(
          labels.map((l) => [l, delta(ma.recall?.[l] ?? undefined, mb.recall?.[l] ?? undefined)]),
        ),
      },
    };
  }

  explanations(tenant: string, recordId: string) {
    return this.registry.explanations(tenant, recordId);
  }

  /** A training over HTTP: a dataset that is not there is 404, one that cannot be read 502. */
  async train<T>(run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof DatasetUnavailableError)) throw error;
      throw new ProblemException(problemFor(error.permanent ? 404 : 502, error.message));
    }
  }
}
