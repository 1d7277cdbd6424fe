import { createHash } from 'node:crypto';
import {
  createLocalProvider,
  deserializeLocalModel,
  serializeLocalModel,
  type LocalModel,
} from '@refinery/ai';

export interface Artifact {
  hash: string;
  bytes: Buffer;
}

/** The weights as the registry stores them: named by the sha256 of their bytes. */
export function artifactOf(model: LocalModel): Artifact {
  const bytes = serializeLocalModel(model);
  return { hash: createHash('sha256').update(bytes).digest('hex'), bytes };
}

export const modelOf = (bytes: Buffer): LocalModel => deserializeLocalModel(bytes);

/** The model every stage serves until a tenant's first promotion: trained on the seed set. */
export const shippedModel = (): LocalModel => createLocalProvider().trained.model;

/** The `<name>@<version>` every answer of a registry model carries. */
export const modelVersionOf = (model: { name: string; version: number }) =>
  `${model.name}@${model.version}`;
