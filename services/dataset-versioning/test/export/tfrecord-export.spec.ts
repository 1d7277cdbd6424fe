import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { crc32c } from '../../src/export/crc32c';
import type { ExportExample } from '../../src/export/export-example';
import { DEFAULT_RATIOS, splitOf } from '../../src/export/splits';
import { writeExport } from '../../src/export/write-export';
import { examples, OPTIONS, streamOf, tempDir } from './examples.spec-fixture';

const run = promisify(execFile);
const READER = join(__dirname, 'read_tfrecord.py');

type Features = Record<string, { bytes?: string[]; float?: number[]; int64?: number[] }>;

/** The file's records as the independent Python reader decodes them, after checking every CRC. */
async function readTfRecord(path: string): Promise<Features[]> {
  const { stdout } = await run('python3', [READER, path], { maxBuffer: 256 << 20 });
  return stdout
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as Features);
}

/** Features as the reader prints them, JSON text parsed, to compare with the source. */
function decoded(features: Features) {
  const text = (name: string) => features[name]?.bytes;
  return {
    keys: Object.keys(features).sort(),
    example_id: text('example_id'),
    type: text('type'),
    input: text('input_json')?.map((t) => JSON.parse(t) as unknown),
    output: text('output_json')?.map((t) => JSON.parse(t) as unknown),
    labels: text('labels_json')?.map((t) => JSON.parse(t) as unknown),
    split: text('split'),
    quality_score: features['quality_score'],
  };
}

function expected(e: ExportExample) {
  const keys = ['example_id', 'type', 'input_json', 'output_json', 'labels_json', 'split'];
  if (e.quality_score !== null) keys.push('quality_score');
  return {
    keys: keys.sort(),
    example_id: [e.id],
    type: [e.type],
    input: [e.input],
    output: [e.output],
    labels: [e.labels],
    split: [splitOf(e.id, DEFAULT_RATIOS)],
    // A float_list holds float32: the score as float32 rounds it.
    quality_score: e.quality_score === null ? undefined : { float: [Math.fround(e.quality_score)] },
  };
}

describe('TFRecord export', () => {
  const temp = tempDir('tfrecord');
  afterAll(() => temp.remove());

  it('computes CRC-32C as the standard check values say', () => {
    expect(crc32c(Buffer.from('123456789'))).toBe(0xe3069283);
    expect(crc32c(Buffer.alloc(32))).toBe(0x8a9136aa);
    expect(crc32c(Buffer.alloc(32, 0xff))).toBe(0x62a8ab43);
    expect(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i)))).toBe(0x46dd794e);
    expect(crc32c(Buffer.alloc(0))).toBe(0);
  });

  it('is read back by an independent reader, every CRC checked, every feature as written', async () => {
    const source = examples(300);
    const file = await writeExport('tfrecord', streamOf(source), temp.dir, OPTIONS);
    expect(file).toMatchObject({
      fileName: 'orders-main-3f9a1c2b7d4e.tfrecord',
      contentType: 'application/octet-stream',
      rows: 300,
      bytes: statSync(file.path).size,
    });
    const records = await readTfRecord(file.path);
    expect(records.map(decoded)).toEqual(source.map(expected));
  });

  it('writes only the split asked for', async () => {
    const source = examples(300);
    const file = await writeExport('tfrecord', streamOf(source), temp.dir, {
      ...OPTIONS,
      split: 'test',
    });
    const records = await readTfRecord(file.path);
    const wanted = source.filter((e) => splitOf(e.id, DEFAULT_RATIOS) === 'test');
    expect(wanted.length).toBeGreaterThan(10);
    expect(records.map(decoded)).toEqual(wanted.map(expected));
  });

  it('is an empty file for no examples', async () => {
    const file = await writeExport('tfrecord', streamOf([]), temp.dir, {
      ...OPTIONS,
      ref: 'empty',
    });
    expect(file).toMatchObject({ rows: 0, bytes: 0 });
    expect(await readTfRecord(file.path)).toEqual([]);
  });

  describe('a corrupted file', () => {
    let original: Buffer;
    beforeAll(async () => {
      const file = await writeExport('tfrecord', streamOf(examples(20)), temp.dir, {
        ...OPTIONS,
        ref: 'corrupt',
      });
      original = readFileSync(file.path);
    });

    async function readFlipped(offset: number): Promise<string> {
      const bytes = Buffer.from(original);
      bytes[offset] ^= 0x01;
      const path = join(temp.dir, `flipped-${offset}.tfrecord`);
      writeFileSync(path, bytes);
      const failure = await readTfRecord(path).then(
        () => ({ code: 0, stderr: '' }),
        (error: { code: number; stderr: string }) => error,
      );
      expect(failure.code).toBe(1);
      return failure.stderr;
    }

    it('fails the data CRC when a byte of a record changes', async () => {
      const secondRecord = 12 + original.readUInt32LE(0) + 4;
      expect(await readFlipped(secondRecord + 12 + 30)).toMatch(/record 1: data CRC mismatch/);
      expect(await readFlipped(original.length - 100)).toMatch(/record 19: data CRC mismatch/);
    });

    it('fails the length CRC when a byte of a length changes', async () => {
      expect(await readFlipped(0)).toMatch(/record 0: length CRC mismatch/);
    });

    it('fails the data CRC when a byte of a stored CRC changes', async () => {
      expect(await readFlipped(original.length - 1)).toMatch(/record 19: data CRC mismatch/);
    });
  });
});
