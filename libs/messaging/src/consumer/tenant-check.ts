import { EVENTS, paramsOf, type EventName } from '@refinery/contracts';

export interface TenantMismatch {
  subject: string;
  payload: string;
}

const isParam = (token: string) => token.startsWith('{');

/** Whether a subject of `template` can match the consumer filter `filter`. */
function overlaps(template: string, filter: string): boolean {
  const t = template.split('.');
  const f = filter.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return t.length > i;
    if (i >= t.length) return false;
    if (f[i] !== '*' && !isParam(t[i]) && f[i] !== t[i]) return false;
  }
  return t.length === f.length;
}

/**
 * The tenant a subject names must be the tenant its payload names: a message published under
 * one tenant's subject (and so its permissions) cannot carry another tenant's data. Only
 * events whose subject template has a `{tenant}` token are checked, and only payloads that
 * have a `tenant` field.
 */
export class TenantCheck {
  private readonly events: EventName[];

  constructor(filterSubject: string) {
    const literals = (name: EventName) =>
      EVENTS[name].subject.split('.').filter((t) => !isParam(t)).length;
    this.events = (Object.keys(EVENTS) as EventName[])
      .filter((name) => EVENTS[name].subject.includes('{tenant}'))
      .filter((name) => overlaps(EVENTS[name].subject, filterSubject))
      // `ingest.rejected.acme` is an ingest.rejected subject, though `ingest.{tenant}.{type}` fits it too.
      .sort((a, b) => literals(b) - literals(a));
  }

  /** What differs, or undefined when the tenants agree or there is nothing to compare. */
  mismatch(subject: string, data: unknown): TenantMismatch | undefined {
    if (this.events.length === 0 || typeof data !== 'object' || data === null) return undefined;
    if (!('tenant' in data) || data.tenant === undefined) return undefined;
    for (const name of this.events) {
      const params = paramsOf(name, subject) as { tenant?: string } | undefined;
      if (params?.tenant === undefined) continue;
      if (params.tenant === data.tenant) return undefined;
      return { subject: params.tenant, payload: String(data.tenant) };
    }
    return undefined;
  }
}
