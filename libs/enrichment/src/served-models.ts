import { createHash } from 'node:crypto';
import type { AiProvider } from '@refinery/ai';
import type { EventPayload, ServedModelName } from '@refinery/contracts';

type Published = EventPayload<'models.published'>;

/** Builds the provider of one registry model from its weights. */
export type ModelLoader = (weights: Buffer, modelVersion: string) => AiProvider;

/** What one announcement changed for this stage, for the log. */
export interface Swap {
  tenant: string;
  from: string;
  to: string;
}

/**
 * The provider each tenant's records get: its registry model when one was announced for this
 * stage, the configured provider otherwise. An announcement replaces the whole map, and a batch
 * takes the map it started with, so every record of a batch is answered by one model and a swap
 * never lands half-way through a batch.
 */
export class ServedModels {
  private byTenant: ReadonlyMap<string, AiProvider> = new Map();

  constructor(
    readonly fallback: AiProvider,
    /** The registry model served; none when the stage serves only the configured provider. */
    readonly name: ServedModelName | undefined,
    private readonly load: ModelLoader,
  ) {}

  /** The providers as they are now; later announcements do not change what it returns. */
  snapshot(): (tenant: string) => AiProvider {
    const byTenant = this.byTenant;
    return (tenant) => byTenant.get(tenant) ?? this.fallback;
  }

  /** Takes a tenant's model in; throws (changing nothing) when its weights do not check out. */
  apply(event: Published): Swap | undefined {
    const model = event.data;
    if (!this.name || model.name !== this.name) return undefined;
    const { tenant } = event;
    const before = (this.byTenant.get(tenant) ?? this.fallback).version;
    if (model.model_version === before) return undefined;
    const weights = Buffer.from(model.artifact, 'base64');
    const hash = createHash('sha256').update(weights).digest('hex');
    if (hash !== model.artifact_hash)
      throw new Error(
        `${model.model_version}: weights hash to ${hash}, not ${model.artifact_hash}`,
      );
    this.byTenant = new Map(this.byTenant).set(tenant, this.load(weights, model.model_version));
    return { tenant, from: before, to: model.model_version };
  }
}
