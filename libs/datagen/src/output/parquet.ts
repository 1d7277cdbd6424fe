import { closeSync, openSync } from 'node:fs';
import type { SchemaElement } from 'hyparquet' with { 'resolution-mode': 'import' };
import type * as HyparquetWriter from 'hyparquet-writer' with { 'resolution-mode': 'import' };
import { requireEsm } from './esm';
import { writeFully } from './text-file';
import type { ColumnSpec, ColumnType, RowSink, SinkOptions } from './types';
import * as check from './values';

const { ByteWriter, ParquetWriter } = requireEsm<typeof HyparquetWriter>('hyparquet-writer');

/**
 * Rows per row group unless told: 32,768 at most, fewer for wide tables. The writer's working
 * arrays for a row group are large objects that only a full collection frees, so peak memory grows
 * with the values in a group. 10M rows of 8 columns peaked at 190 MB RSS with 16,384-row groups,
 * 225–395 MB with 32,768 (the high end on a busy machine), and 65,536 rows of 16 columns at 540 MB.
 */
export function defaultRowGroupSize(columnCount: number): number {
  return Math.max(1024, Math.min(32_768, Math.floor(131_072 / Math.max(1, columnCount))));
}

/** Encoded bytes are written out once about 1 MB has gathered, and after every row group. */
const FLUSH_AT = 1 << 20;

/** Every column is OPTIONAL (nullable). Integers are INT64: generated ids and counts may pass
 * 2^31, and one physical type keeps the schema independent of the values seen. */
const ELEMENTS: Record<ColumnType, Omit<SchemaElement, 'name'>> = {
  string: { type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } },
  integer: { type: 'INT64' },
  number: { type: 'DOUBLE' },
  boolean: { type: 'BOOLEAN' },
  timestamp: {
    type: 'INT64',
    converted_type: 'TIMESTAMP_MILLIS',
    logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' },
  },
  json: { type: 'BYTE_ARRAY', converted_type: 'JSON', logical_type: { type: 'JSON' } },
};

/**
 * json values are handed to the writer as their JSON text in a string column and the JSON type is
 * put in the footer only: the text then costs one JSON.stringify (which also checks the value, as
 * for JSONL and CSV) instead of that plus the writer's own deep copy and second stringify per
 * value. Both are UTF-8 BYTE_ARRAY data, so the pages are the same.
 */
const WRITE_ELEMENTS: Record<ColumnType, Omit<SchemaElement, 'name'>> = {
  ...ELEMENTS,
  json: ELEMENTS.string,
};

function schemaOf(columns: ColumnSpec[], elements: typeof ELEMENTS): SchemaElement[] {
  return [
    { name: 'root', num_children: columns.length },
    ...columns.map((c) => ({
      name: c.name,
      ...elements[c.type],
      repetition_type: 'OPTIONAL' as const,
    })),
  ];
}

type Convert = (value: unknown) => unknown;

/** Checks a non-null value and turns it into what the sink buffers for the column. */
function converter({ name, type }: ColumnSpec): Convert {
  switch (type) {
    case 'string':
      return (value) => check.checkString(name, value);
    case 'integer':
      return (value) => check.checkInteger(name, value); // made bigints (for INT64) per row group
    case 'number':
      return (value) => check.checkNumber(name, value);
    case 'boolean':
      return (value) => check.checkBoolean(name, value);
    case 'timestamp':
      return (value) => check.checkTimestamp(name, value); // the writer makes these bigints itself
    case 'json':
      return (value) => check.jsonText(name, value);
  }
}

function toBigInts(values: unknown[]): unknown[] {
  return values.map((value) => (value === null ? null : BigInt(value as number)));
}

/** hyparquet-writer's buffer, emptied into the file with writeSync instead of growing. */
class FileWriter extends ByteWriter {
  constructor(private readonly fd: number) {
    super(FLUSH_AT + (FLUSH_AT >> 2));
  }

  override ensure(size: number): void {
    if (this.index >= FLUSH_AT) this.flush();
    super.ensure(size);
  }

  /** Called by ParquetWriter after each row group too. */
  flush(): void {
    if (this.index > 0) writeFully(this.fd, new Uint8Array(this.buffer, 0, this.index));
    this.index = 0;
  }

  override finish(): void {
    this.flush();
    closeSync(this.fd);
  }
}

/**
 * Rows are gathered column by column and written one row group at a time, so memory is bounded
 * by the row group size. Snappy (the writer's own pure-JS one) and no timestamps or versions in
 * the footer: the same rows give the same bytes anywhere.
 */
export function openParquet(
  path: string,
  columns: ColumnSpec[],
  options: SinkOptions = {},
): RowSink {
  const rowGroupSize = options.rowGroupSize ?? defaultRowGroupSize(columns.length);
  if (!Number.isSafeInteger(rowGroupSize) || rowGroupSize < 1) {
    throw new RangeError(`rowGroupSize must be a positive integer, got ${rowGroupSize}`);
  }
  const width = columns.length;
  const writer = new FileWriter(openSync(path, 'w'));
  const parquet = new ParquetWriter({
    writer,
    schema: schemaOf(columns, WRITE_ELEMENTS),
    codec: 'SNAPPY',
    createdBy: 'refinery datagen',
  });
  const converts = columns.map(converter);
  const staged = new Array<unknown>(width); // one row's values: a bad row must add nothing
  let data = columns.map((): unknown[] => []);
  let rows = 0;
  let closed = false;

  const writeGroup = () => {
    if (data[0]?.length) {
      const columnData = columns.map((c, i) => ({
        name: c.name,
        data: (c.type === 'integer'
          ? toBigInts(data[i])
          : data[i]) as HyparquetWriter.ColumnSource['data'],
        statistics: c.type !== 'json', // min/max of JSON text mean nothing to a reader
      }));
      parquet.write({ columnData, rowGroupSize: data[0].length });
    }
    data = columns.map(() => []);
  };

  return {
    write(row) {
      if (closed) throw new Error('the sink is closed');
      check.checkWidth(row, width);
      for (let i = 0; i < width; i++) {
        const value = row[i];
        staged[i] = value === null || value === undefined ? null : converts[i](value);
      }
      for (let i = 0; i < width; i++) data[i].push(staged[i]);
      rows++;
      if (rows % rowGroupSize === 0) writeGroup();
    },
    close() {
      if (closed) throw new Error('the sink is closed');
      closed = true;
      writeGroup();
      parquet.schema = schemaOf(columns, ELEMENTS);
      parquet.finish();
      return { rows, bytes: writer.offset };
    },
  };
}
