import {
  startServiceProcess,
  TestTenants,
  type ServiceProcess,
  type TestTenant,
} from '@refinery/testing';

/** The fields the tests read from the API's answers. */
export interface Answer {
  [key: string]: unknown;
  hash: string;
  detail: string;
  errors: { path: string; message: string }[];
}

/** The dataset-versioning service as its own process, following one tenant. */
export class DatasetsApi {
  private constructor(
    readonly service: ServiceProcess,
    readonly tenants: TestTenants,
    readonly tenant: TestTenant,
    readonly other: TestTenant,
  ) {}

  static async start(env: Record<string, string> = {}): Promise<DatasetsApi> {
    const tenants = await TestTenants.open();
    const tenant = await tenants.create({ prefix: 'ds' });
    const other = await tenants.create({ prefix: 'ds-other' });
    const service = await startServiceProcess('dataset-versioning', {
      DATASETS_TENANT: tenant.slug,
      ...env,
    });
    return new DatasetsApi(service, tenants, tenant, other);
  }

  async call<T = Answer>(method: string, path: string, body?: unknown, key = this.tenant.apiKey) {
    const res = await fetch(`${this.service.url}${path}`, {
      method,
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed as T, headers: res.headers };
  }

  /** Fails with the answer when the status is not the expected one. */
  async ok<T = Answer>(method: string, path: string, body?: unknown, status = [200, 201]) {
    const res = await this.call<T>(method, path, body);
    if (!status.includes(res.status)) {
      throw new Error(`${method} ${path} -> ${res.status}: ${JSON.stringify(res.body)}`);
    }
    return res.body;
  }

  async stop(): Promise<void> {
    await this.service?.stop();
    await this.tenants?.close();
  }
}

let counter = 0;

/** A classification example about a delivery exception. */
export function exception(label: string, text?: string) {
  counter++;
  return {
    type: 'classification' as const,
    input: {
      order_number: `ORD-${1000 + counter}`,
      description: text ?? `Parcel ${counter} has not moved for five days at the depot.`,
      carrier: 'DHL',
    },
    output: { label },
    labels: { confidence: 0.9, difficulty: 'easy' },
  };
}
