import { Inject, Injectable } from '@nestjs/common';
import { ACTIONS, AI_LABELS, PROBLEM_CODES } from '@refinery/contracts';
import { badField, notFound } from '@refinery/runtime';
import { DATASETS_CONFIG, type DatasetsConfig } from '../config';
import { CurateUseCase } from '../datasets/curate.use-case';
import { DatasetsRepository, type Dataset } from '../datasets/datasets.repository';
import type { Example } from '../examples/example';
import { agreementReport } from './agreement';
import { LabelingRepository, type Session } from './labeling.repository';
import { ModelUncertainty, type UncertaintyMeasure } from './model-uncertainty';

/** The output field a label sets, by example type, and the values it may take. */
const FIELDS = {
  classification: { field: 'label', values: AI_LABELS as readonly string[] },
  resolution: { field: 'action', values: ACTIONS as readonly string[] },
  order_analysis: { field: 'problems', values: PROBLEM_CODES as readonly string[] },
} as const;

/** How many eligible examples uncertainty ordering looks at for each `next`. */
const POOL = 500;

export interface NextQuery {
  type?: Example['type'];
  status: Example['validation_status'];
  order: 'created' | 'uncertainty';
  measure: UncertaintyMeasure;
}

export interface Submission {
  example_id: string;
  label: string | string[];
  confidence?: number;
  notes?: string;
}

/**
 * Sessions of the design: initial labeling (overlapping labelers; a strict majority becomes
 * the example's label once every labeler has answered), validation (agreeing validates the
 * example, disagreeing rejects it) and correction (the label replaces the example's at once).
 */
@Injectable()
export class LabelingUseCase {
  constructor(
    @Inject(DATASETS_CONFIG) private readonly config: DatasetsConfig,
    private readonly labeling: LabelingRepository,
    private readonly datasets: DatasetsRepository,
    private readonly curate: CurateUseCase,
    private readonly uncertainty: ModelUncertainty,
  ) {}

  async session(tenant: string, id: string): Promise<Session> {
    const session = await this.labeling.session(tenant, id);
    if (!session) throw notFound(`no labeling session ${id}`);
    return session;
  }

  async next(tenant: string, id: string, query: NextQuery) {
    const session = await this.open(tenant, id);
    const branch = await this.branchOf(session);
    const pool = await this.labeling.eligible(session, branch, {
      type: query.type,
      status: query.status,
      overlap: this.config.DATASETS_LABEL_OVERLAP,
      limit: query.order === 'uncertainty' ? POOL : 1,
    });
    if (pool.length === 0) return { example: null, uncertainty: null };
    let example = pool[0];
    let score: number | null = null;
    if (query.order === 'uncertainty') {
      const scored = pool.map((e) => ({ e, s: this.uncertainty.score(e, query.measure) }));
      scored.sort((a, b) => b.s - a.s);
      [example, score] = [scored[0].e, scored[0].s];
    }
    await this.labeling.serve(session.id, example.id);
    return { example, uncertainty: score === null ? null : { measure: query.measure, score } };
  }

  async submit(tenant: string, id: string, body: Submission) {
    const session = await this.open(tenant, id);
    const dataset = await this.datasetOf(session);
    const branch = await this.branchOf(session);
    const example = (await this.datasets.current(this.datasets.db, branch, [body.example_id])).get(
      body.example_id,
    );
    if (!example) throw notFound(`no example ${body.example_id} on branch ${session.branch}`);
    const { field, values } = FIELDS[example.type];
    const value = checkLabel(example.type, values, body.label);
    const entry = await this.datasets.transaction((tx) =>
      this.labeling.record(tx, session, {
        example_id: example.id,
        label_type: field,
        value,
        fallback: example.output[field] ?? null,
        confidence: body.confidence ?? null,
        notes: body.notes ?? null,
      }),
    );
    const outcome = await this.apply(session, dataset, example, field, value);
    return { ...entry, outcome };
  }

  async agreement(dataset: Dataset, type?: string) {
    const ratings = await this.labeling.currentLabels(this.labeling.db, dataset.id);
    const filtered = type ? await this.ofType(dataset, ratings, type) : ratings;
    return { dataset: dataset.name, ...(type ? { type } : {}), ...agreementReport(filtered) };
  }

  async labelers(dataset: Dataset) {
    const main = await this.datasets.branch(this.datasets.db, dataset.id, 'main');
    const rows = await this.labeling.labelers(dataset.id, main!.id);
    const ratings = await this.labeling.currentLabels(this.labeling.db, dataset.id);
    const others = new Map(
      agreementReport(ratings).per_rater.map((r) => [r.rater, r.agreement_with_others]),
    );
    return rows.map((r: { labeler: string }) => ({
      ...r,
      agreement_with_others: others.get(r.labeler) ?? null,
    }));
  }

  private async apply(
    session: Session,
    dataset: Dataset,
    example: Example,
    field: string,
    value: unknown,
  ) {
    if (session.session_type === 'correction') {
      await this.curate.patch(dataset, session.branch, example.id, {
        output: { ...example.output, [field]: value },
      });
      return 'corrected';
    }
    if (session.session_type === 'validation') {
      const agrees = JSON.stringify(example.output[field]) === JSON.stringify(value);
      await this.datasets.db.query(
        `UPDATE example_versions SET validation_status = $2, validated_by = $3, validated_at = now()
          WHERE hash = decode($1, 'hex')`,
        [example.hash, agrees ? 'validated' : 'rejected', session.labeler_id],
      );
      return agrees ? 'validated' : 'rejected';
    }
    const labels = await this.labeling.currentLabels(this.labeling.db, dataset.id, [example.id]);
    if (labels.length < this.config.DATASETS_LABEL_OVERLAP) return 'waiting for more labelers';
    const counts = new Map<string, number>();
    for (const l of labels) counts.set(l.label, (counts.get(l.label) ?? 0) + 1);
    const [top, n] = [...counts.entries()].sort((a, b) => b[1] - a[1])[0];
    if (n * 2 <= labels.length) return 'no majority';
    const chosen = typeof value === 'string' ? top : (JSON.parse(top) as unknown);
    await this.curate.patch(dataset, session.branch, example.id, {
      output: { ...example.output, [field]: chosen },
      labels: { ...(example.labels ?? {}), agreement: n / labels.length, labelers: labels.length },
    });
    return 'labelled by majority';
  }

  private async ofType(
    dataset: Dataset,
    ratings: { item: string; rater: string; label: string }[],
    type: string,
  ) {
    const rows: { id: string }[] = await this.datasets.db.query(
      `SELECT DISTINCT example_id AS id FROM example_versions WHERE dataset_id = $1 AND example_type = $2`,
      [dataset.id, type],
    );
    const ids = new Set(rows.map((r) => r.id));
    return ratings.filter((r) => ids.has(r.item));
  }

  private async open(tenant: string, id: string) {
    const session = await this.session(tenant, id);
    if (session.ended_at) throw badField('session', `session ${id} has ended`);
    return session;
  }

  private async datasetOf(session: Session): Promise<Dataset> {
    const [dataset] = await this.datasets.db.query(`SELECT * FROM datasets WHERE id = $1`, [
      session.dataset_id,
    ]);
    return dataset;
  }

  private async branchOf(session: Session): Promise<string> {
    const branch = await this.datasets.branch(this.datasets.db, session.dataset_id, session.branch);
    if (!branch) throw notFound(`no branch named ${session.branch}`);
    return branch.id;
  }
}

function checkLabel(type: Example['type'], values: readonly string[], label: string | string[]) {
  if (type === 'order_analysis') {
    const codes = Array.isArray(label) ? label : [label];
    const bad = codes.find((c) => !values.includes(c));
    if (bad !== undefined)
      throw badField('label', `unknown problem code ${bad}; one of ${values.join(', ')}`);
    return [...codes].sort();
  }
  if (typeof label !== 'string' || !values.includes(label)) {
    throw badField('label', `a ${type} label is one of ${values.join(', ')}`);
  }
  return label;
}
