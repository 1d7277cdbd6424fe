/**
 * A Postgres panel query as Grafana runs it: template variables first (in the browser), then
 * the datasource's macros (in Grafana's server), so the SQL can be run against the database.
 */
export interface SqlContext {
  /** The panel's time range. */
  from: Date;
  to: Date;
  /** Each dashboard variable's current value (single-valued, no "All"). */
  variables: Readonly<Record<string, string>>;
}

/** An RFC 3339 time in UTC, as Grafana's Postgres macros write it. */
export const rfc3339 = (at: Date): string => at.toISOString().replace(/\.000Z$/, 'Z');

const quote = (value: string): string => `'${value.replace(/'/g, "''")}'`;

/**
 * Grafana's SQL variable formats: `sqlstring` quotes, `raw` leaves as is, and a bare `$name` of a
 * single-valued variable only doubles its quotes (it is not quoted).
 */
const FORMATS: Record<string, (value: string) => string> = {
  sqlstring: quote,
  raw: (value) => value,
  default: (value) => value.replace(/'/g, "''"),
};

/** Throws on a variable, format or macro the dashboard uses that this does not know. */
export function interpolateSql(sql: string, context: SqlContext): string {
  const withVariables = sql.replace(
    /\$\{(\w+)(?::(\w+))?\}|\[\[(\w+)\]\]|\$(?!__)(\w+)/g,
    (_, braced?: string, format?: string, bracketed?: string, bare?: string) => {
      const name = braced ?? bracketed ?? bare ?? '';
      const value = context.variables[name];
      if (value === undefined) throw new Error(`no value for variable $${name}`);
      const formatted = FORMATS[format ?? 'default'];
      if (!formatted) throw new Error(`format ${format} of $${name} is not one Grafana SQL has`);
      return formatted(value);
    },
  );
  const [from, to] = [quote(rfc3339(context.from)), quote(rfc3339(context.to))];
  return withVariables.replace(/\$__(\w+)\(([^)]*)\)/g, (whole, macro: string, arg: string) => {
    if (macro === 'timeFilter') return `${arg.trim()} BETWEEN ${from} AND ${to}`;
    if (macro === 'timeFrom' && arg.trim() === '') return from;
    if (macro === 'timeTo' && arg.trim() === '') return to;
    throw new Error(`macro ${whole} is not one this test expands: add it to interpolateSql`);
  });
}

/** `1y`, `12M`, `30d`, `6h`: a panel's relative time (`timeFrom`), back from `now`. */
export function relativeRange(timeFrom: string, now: Date): { from: Date; to: Date } {
  const [, count, unit] = /^(\d+)([yMwdhm])$/.exec(timeFrom) ?? [];
  if (!count) throw new Error(`relative time ${timeFrom} is not one this test reads`);
  const from = new Date(now);
  const n = Number(count);
  if (unit === 'y') from.setUTCFullYear(from.getUTCFullYear() - n);
  else if (unit === 'M') from.setUTCMonth(from.getUTCMonth() - n);
  else {
    const ms = { w: 604_800_000, d: 86_400_000, h: 3_600_000, m: 60_000 }[unit] ?? 0;
    from.setTime(from.getTime() - n * ms);
  }
  return { from, to: now };
}
