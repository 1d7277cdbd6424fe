import { gunzipSync, gzipSync } from 'node:zlib';
import { z } from 'zod';
import { FeatureSpace } from './feature-space';
import type { LinearModel } from './linear-model';
import { LocalModel, type LocalModels } from './local-model';
import { FEATURE_SPACE_VERSION } from './record-features';

/**
 * A trained local model as bytes, to store in a registry and ship to running services:
 * gzip of a JSON header (version, feature spaces, model shapes) and a little-endian body.
 * The same model gives the same bytes (for one zlib build), so their sha256 names its content.
 */
const FORMAT = 'refinery-local-model/1';
const MODELS = ['problems', 'label', 'action', 'automatable'] as const;
const SPACE_OF = {
  problems: 'record',
  label: 'record',
  action: 'decision',
  automatable: 'decision',
} as const;
// A fixed level: the bytes, and so the content address, must not depend on zlib's default.
const GZIP_LEVEL = 9;

const SpaceSchema = z.object({
  fixed: z.array(z.string()),
  hashBits: z.int().min(1).max(24),
  seen: z.array(z.tuple([z.int().min(0), z.string()])),
});

const ShapeSchema = z.object({
  link: z.enum(['softmax', 'sigmoid']),
  outputs: z.int().min(1),
  dims: z.int().min(1),
  /** Columns with a weight other than +0; the rest are not stored. */
  columns: z.int().min(0),
  /** 32 when every weight is exactly a float32, which halves the body; never lossy. */
  precision: z.union([z.literal(32), z.literal(64)]),
});

const HeaderSchema = z.object({
  format: z.literal(FORMAT),
  version: z.string().min(1),
  features: z.string(),
  spaces: z.object({ record: SpaceSchema, decision: SpaceSchema }),
  models: z.object({
    problems: ShapeSchema,
    label: ShapeSchema,
    action: ShapeSchema,
    automatable: ShapeSchema,
  }),
});

type Shape = z.infer<typeof ShapeSchema>;

export function serializeLocalModel(model: LocalModel): Buffer {
  const stored = MODELS.map((name) => storedColumns(model.models[name]));
  const shapes = MODELS.map((name, i): Shape => {
    const { link, outputs, dims, weights } = model.models[name];
    const single = weights.every((w) => Math.fround(w) === w);
    return { link, outputs, dims, columns: stored[i].length, precision: single ? 32 : 64 };
  });
  const header = Buffer.from(
    JSON.stringify({
      format: FORMAT,
      version: model.version,
      features: FEATURE_SPACE_VERSION,
      spaces: { record: model.recordSpace.snapshot(), decision: model.decisionSpace.snapshot() },
      models: Object.fromEntries(MODELS.map((name, i) => [name, shapes[i]])),
    }),
  );
  const bodySize = shapes.reduce((sum, shape) => sum + sizeOf(shape), 0);
  const out = new ByteWriter(4 + header.length + bodySize);
  out.uint32(header.length);
  out.bytes(header);
  MODELS.forEach((name, i) => writeModel(out, model.models[name], stored[i], shapes[i]));
  return gzipSync(out.buffer, { level: GZIP_LEVEL });
}

export function deserializeLocalModel(bytes: Buffer): LocalModel {
  let raw: Buffer;
  try {
    raw = gunzipSync(bytes);
  } catch (cause) {
    throw new Error('local model artifact is not gzip data', { cause });
  }
  const input = new ByteReader(raw);
  const parsed = HeaderSchema.safeParse(parseJson(input.bytes(input.uint32()).toString('utf8')));
  if (!parsed.success) throw new Error(`local model artifact header: ${parsed.error.message}`);
  const header = parsed.data;
  if (header.features !== FEATURE_SPACE_VERSION) {
    throw new Error(
      `local model artifact was trained on ${header.features}, this code computes ${FEATURE_SPACE_VERSION}`,
    );
  }
  const spaces = {
    record: FeatureSpace.from(header.spaces.record),
    decision: FeatureSpace.from(header.spaces.decision),
  };
  const models = {} as LocalModels;
  for (const name of MODELS) {
    const shape = header.models[name];
    const space = spaces[SPACE_OF[name]];
    if (shape.dims !== space.dims) {
      throw new Error(`local model artifact: ${name} has ${shape.dims} columns, not ${space.dims}`);
    }
    models[name] = readModel(input, shape);
  }
  if (!input.done()) throw new Error('local model artifact has bytes after its last model');
  return new LocalModel(header.version, spaces.record, spaces.decision, models);
}

/** Hashed columns no training row reached stay exactly 0 in every output: most of them. */
function storedColumns({ weights, outputs, dims }: LinearModel): number[] {
  const columns: number[] = [];
  for (let column = 0; column < dims; column++) {
    for (let k = 0; k < outputs; k++) {
      if (!Object.is(weights[k * dims + column], 0)) {
        columns.push(column);
        break;
      }
    }
  }
  return columns;
}

/** A bitmap of stored columns, bias, temperatures, floor, then the stored weights by output. */
function sizeOf({ outputs, dims, columns, precision }: Shape): number {
  return Math.ceil(dims / 8) + 8 * (2 * outputs + 1) + (precision / 8) * outputs * columns;
}

function writeModel(out: ByteWriter, model: LinearModel, columns: number[], shape: Shape): void {
  const bitmap = Buffer.alloc(Math.ceil(model.dims / 8));
  for (const column of columns) bitmap[column >> 3] |= 1 << (column & 7);
  out.bytes(bitmap);
  for (const value of [...model.bias, ...model.temperatures, model.floor]) out.float64(value);
  for (let k = 0; k < model.outputs; k++) {
    for (const column of columns) {
      const w = model.weights[k * model.dims + column];
      if (shape.precision === 32) out.float32(w);
      else out.float64(w);
    }
  }
}

function readModel(input: ByteReader, { link, outputs, dims, columns, precision }: Shape) {
  const bitmap = input.bytes(Math.ceil(dims / 8));
  const stored: number[] = [];
  for (let column = 0; column < dims; column++) {
    if (bitmap[column >> 3] & (1 << (column & 7))) stored.push(column);
  }
  if (stored.length !== columns) throw new Error('local model artifact: column bitmap mismatch');
  const bias = Float64Array.from({ length: outputs }, () => input.float64());
  const temperatures = Float64Array.from({ length: outputs }, () => input.float64());
  const floor = input.float64();
  const weights = new Float64Array(outputs * dims);
  for (let k = 0; k < outputs; k++) {
    for (const column of stored) {
      weights[k * dims + column] = precision === 32 ? input.float32() : input.float64();
    }
  }
  return { link, outputs, dims, weights, bias, temperatures, floor } satisfies LinearModel;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new Error('local model artifact header is not JSON', { cause });
  }
}

/** Little-endian whatever the host, so the bytes are the same on every machine. */
class ByteWriter {
  readonly buffer: Buffer;
  private offset = 0;

  constructor(size: number) {
    this.buffer = Buffer.alloc(size);
  }

  uint32(value: number): void {
    this.offset = this.buffer.writeUInt32LE(value, this.offset);
  }

  float32(value: number): void {
    this.offset = this.buffer.writeFloatLE(value, this.offset);
  }

  float64(value: number): void {
    this.offset = this.buffer.writeDoubleLE(value, this.offset);
  }

  bytes(value: Buffer): void {
    this.offset += value.copy(this.buffer, this.offset);
  }
}

class ByteReader {
  private offset = 0;

  constructor(private readonly buffer: Buffer) {}

  uint32(): number {
    return this.buffer.readUInt32LE(this.advance(4));
  }

  float32(): number {
    return this.buffer.readFloatLE(this.advance(4));
  }

  float64(): number {
    return this.buffer.readDoubleLE(this.advance(8));
  }

  bytes(length: number): Buffer {
    return this.buffer.subarray(this.advance(length), this.offset);
  }

  done(): boolean {
    return this.offset === this.buffer.length;
  }

  private advance(length: number): number {
    if (this.offset + length > this.buffer.length) {
      throw new Error('local model artifact is truncated');
    }
    this.offset += length;
    return this.offset - length;
  }
}
