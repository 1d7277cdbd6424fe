import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Engine, type RowListener } from './generate/engine';
import type { CompiledNode, RowContext } from './generate/model';
import { compilePlan, type Plan } from './generate/plan';
import { FILE_EXTENSIONS, openSink, type OutputFormat, type RowSink } from './output';
import { compileEvent } from './publish/event-template';
import type { EventPublisher, PublishSummary } from './publish/publisher';
import type { DatagenSchema } from './schema';
import { RetentionTruth } from './truth/retention';
import { type QualityReport, Validator } from './validate/validator';

export interface GenerateOptions {
  schema: DatagenSchema;
  seed: number;
  /** Rows in all; default the schema's `rows`. */
  rows?: number;
  /** A directory for one file per node and format, `truth.json` and `quality-report.json`. */
  out?: string;
  formats?: OutputFormat[];
  publisher?: EventPublisher;
  progress?: (rows: number, total: number) => void;
  /** More consumers of finished rows (tests read them in memory this way). */
  listeners?: RowListener[];
}

export interface RunSummary {
  schema: string;
  seed: number;
  rows: number;
  nodes: Record<string, number>;
  seconds: number;
  rows_per_s: number;
  quality_score: number;
  files: string[];
  publish?: PublishSummary;
}

/** One run: generate, validate as it goes, write files and the truth, publish if asked. */
export async function generate(options: GenerateOptions): Promise<{
  summary: RunSummary;
  truth: Record<string, unknown>;
  quality: QualityReport;
}> {
  const started = process.hrtime.bigint();
  const plan = compilePlan(options.schema, options.seed);
  const rows = options.rows ?? options.schema.rows;
  const validator = new Validator(plan);
  const retention = new RetentionTruth(plan);
  const listeners: RowListener[] = [validator, retention, ...(options.listeners ?? [])];
  const files: string[] = [];
  const sinks: NodeSinks = options.out
    ? openSinks(plan, options.out, options.formats ?? ['jsonl'], files)
    : new Map();
  if (sinks.size > 0) listeners.push(sinkListener(sinks));
  const publisher = options.publisher;
  if (publisher) listeners.push(publishListener(plan, publisher));

  const nodes = await new Engine(plan, {
    rows,
    listeners,
    pause: publisher ? () => publisher.pause() : undefined,
    progress: options.progress && ((made) => options.progress?.(made, rows)),
  }).run();
  for (const list of sinks.values()) for (const sink of list) sink.close();
  const publish = publisher ? await publisher.close() : undefined;

  const quality = validator.report();
  const total = Object.values(nodes).reduce((a, b) => a + b, 0);
  const truth = truthOf(plan, nodes, total, retention);
  if (options.out) {
    files.push(
      writeJson(options.out, 'truth.json', truth),
      writeJson(options.out, 'quality-report.json', quality),
    );
  }
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    summary: {
      schema: options.schema.name,
      seed: options.seed,
      rows: total,
      nodes,
      seconds: Math.round(seconds * 1000) / 1000,
      rows_per_s: Math.round(total / seconds),
      quality_score: quality.score,
      files,
      ...(publish ? { publish } : {}),
    },
    truth,
    quality,
  };
}

type NodeSinks = Map<CompiledNode, RowSink[]>;

function openSinks(plan: Plan, out: string, formats: OutputFormat[], files: string[]): NodeSinks {
  mkdirSync(out, { recursive: true });
  const sinks: NodeSinks = new Map();
  for (const node of plan.nodes) {
    const columns = node.columns.map((column) => column.output);
    sinks.set(
      node,
      formats.map((format) => {
        const path = join(out, `${node.name}${FILE_EXTENSIONS[format]}`);
        files.push(path);
        return openSink(format, path, columns);
      }),
    );
  }
  return sinks;
}

function sinkListener(sinks: NodeSinks): RowListener {
  return {
    onRow(row: RowContext) {
      for (const sink of sinks.get(row.node) as RowSink[]) sink.write(row.values);
    },
  };
}

function publishListener(plan: Plan, publisher: EventPublisher): RowListener {
  const nodes = new Map(plan.nodes.map((node) => [node.name, node]));
  const events = new Map(
    plan.nodes.flatMap((node) =>
      node.spec.publish ? [[node, compileEvent(node, node.spec.publish, nodes)]] : [],
    ),
  );
  return {
    onRow(row) {
      const event = events.get(row.node);
      if (event) publisher.publish(event(row));
    },
  };
}

function truthOf(
  plan: Plan,
  nodes: Record<string, number>,
  total: number,
  retention: RetentionTruth,
) {
  const modifiers: Record<string, unknown> = {};
  for (const node of plan.nodes) {
    node.spec.modifiers?.forEach((modifier, i) => {
      const truth = node.hooks[i]?.truth?.();
      if (truth !== undefined)
        modifiers[`${node.name}.modifiers[${i}]`] = { type: modifier.type, ...(truth as object) };
    });
  }
  return {
    generator: 'refinery-datagen',
    schema: plan.schema.name,
    seed: plan.seed,
    horizon: plan.schema.horizon,
    rows: total,
    nodes,
    columns: Object.fromEntries([...plan.truths].map(([key, truth]) => [key, truth()])),
    modifiers,
    retention: retention.truth(),
  };
}

function writeJson(dir: string, name: string, value: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, `${JSON.stringify(value, null, 2)}\n`);
  return path;
}
