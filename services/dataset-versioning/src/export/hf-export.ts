import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { abandon, openExampleSink, type ExampleSink } from './example-sink';
import type { ExportExample } from './export-example';
import { datasetCard, type CardInfo, type SplitFile } from './hf-card';
import { SPLIT_NAMES, type SplitName, type Splitter } from './splits';
import { writeTar } from './tar';

/**
 * A Hugging Face dataset as a tar: README.md (the card) and `data/<split>-00000-of-00001.parquet`
 * per non-empty split. The splits' Parquet files are written side by side in one pass over the
 * examples, next to `path`, then streamed into the archive and deleted.
 */
export async function writeHfExport(
  examples: AsyncIterable<ExportExample>,
  splitOf: Splitter,
  path: string,
  info: CardInfo,
): Promise<{ rows: number; bytes: number }> {
  const work = mkdtempSync(join(dirname(path), 'hf-'));
  try {
    const files = await writeSplits(examples, splitOf, work);
    const card = Buffer.from(datasetCard(info, files), 'utf8');
    const entries = [
      { name: 'README.md', data: card },
      ...files.map((f) => ({ name: f.name, file: join(work, f.name) })),
    ];
    const bytes = await writeTar(path, entries).catch((error: unknown) => {
      rmSync(path, { force: true }); // half an archive must not be taken for an export
      throw error;
    });
    return { rows: files.reduce((sum, f) => sum + f.rows, 0), bytes };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

async function writeSplits(
  examples: AsyncIterable<ExportExample>,
  splitOf: Splitter,
  work: string,
): Promise<SplitFile[]> {
  const nameOf = (split: SplitName) => `data/${split}-00000-of-00001.parquet`;
  const sinks = new Map<SplitName, ExampleSink>(); // each opened at its split's first example
  const sinkOf = (split: SplitName): ExampleSink => {
    let sink = sinks.get(split);
    if (!sink) sinks.set(split, (sink = openExampleSink('parquet', join(work, nameOf(split)))));
    return sink;
  };
  mkdirSync(join(work, 'data'));
  try {
    for await (const example of examples) {
      const split = splitOf(example);
      sinkOf(split).write(example, split);
    }
  } catch (error) {
    for (const sink of sinks.values()) abandon(sink);
    throw error;
  }
  if (sinks.size === 0) sinkOf('train'); // an empty dataset still loads, as an empty train split
  const files: SplitFile[] = [];
  for (const split of SPLIT_NAMES) {
    const sink = sinks.get(split);
    if (sink) files.push({ split, name: nameOf(split), rows: sink.close().rows });
  }
  return files;
}
