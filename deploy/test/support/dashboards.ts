import { readdirSync } from 'node:fs';
import { join } from 'node:path';

import { readText, ROOT } from './repo';

/** The Grafana dashboards provisioned from this folder (deploy/grafana/provisioning). */
export const DASHBOARDS_DIR = 'deploy/grafana/dashboards';

export interface DatasourceRef {
  type?: string;
  uid?: string;
}

export interface Target {
  refId: string;
  /** PromQL, for the Prometheus datasource. */
  expr?: string;
  /** SQL, for a Postgres datasource. */
  rawSql?: string;
  legendFormat?: string;
  format?: string;
  datasource?: DatasourceRef;
}

export interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  datasource?: DatasourceRef;
  targets?: Target[];
  panels?: Panel[];
  timeFrom?: string;
  description?: string;
  fieldConfig?: { overrides?: { matcher: { id: string; options: string } }[] };
}

export interface Variable {
  name: string;
  type: string;
  query?: string | { query: string };
  datasource?: DatasourceRef;
}

export interface Dashboard {
  file: string;
  uid: string;
  title: string;
  tags?: string[];
  links?: { type: string; tags?: string[] }[];
  panels: Panel[];
  templating?: { list: Variable[] };
}

export interface Query extends Target {
  dashboard: string;
  panel: string;
  expr: string;
}

export function loadDashboards(): Dashboard[] {
  return readdirSync(join(ROOT, DASHBOARDS_DIR))
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((file) => ({
      ...(JSON.parse(readText(`${DASHBOARDS_DIR}/${file}`)) as Omit<Dashboard, 'file'>),
      file,
    }));
}

/** Every panel, those inside collapsed rows included; rows themselves are left out. */
export function queryPanels(dashboard: Dashboard): Panel[] {
  return dashboard.panels
    .flatMap((panel) => [panel, ...(panel.panels ?? [])])
    .filter((panel) => panel.type !== 'row');
}

/** Every PromQL query; SQL targets (`rawSql`) are left to sqlTargetsOf. */
export function queriesOf(dashboard: Dashboard): Query[] {
  return queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? [])
      .filter((target) => target.rawSql === undefined)
      .map((target) => ({
        ...target,
        dashboard: dashboard.title,
        panel: panel.title,
        expr: target.expr ?? '',
      })),
  );
}

export function variableQuery(variable: Variable): string {
  return typeof variable.query === 'string' ? variable.query : (variable.query?.query ?? '');
}

export interface SqlTarget extends Target {
  panel: Panel;
  rawSql: string;
}

/** Every SQL target (a Postgres datasource's), with its panel. */
export function sqlTargetsOf(dashboard: Dashboard): SqlTarget[] {
  return queryPanels(dashboard).flatMap((panel) =>
    (panel.targets ?? []).flatMap((target) =>
      target.rawSql === undefined ? [] : [{ ...target, panel, rawSql: target.rawSql }],
    ),
  );
}
