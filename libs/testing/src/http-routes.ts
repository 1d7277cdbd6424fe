import { RequestMethod, type DynamicModule, type Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ACCESS_METADATA, OPEN_PATHS, type AccessRule } from '@refinery/runtime';

export interface HttpRoute {
  /** `GET /api/enrichment/report/:tenant` */
  route: string;
  /** `open`, `operator`, or the tenant scope the route requires; `none` when it declares nothing. */
  access: string;
}

type ModuleRef = Type | DynamicModule;

const join = (...parts: string[]) =>
  `/${parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/')}`;

/**
 * Every HTTP route a module (and what it imports) declares, with its access rule, read from
 * Nest's decorators without starting anything.
 */
export function httpRoutesOf(root: ModuleRef): HttpRoute[] {
  const routes: HttpRoute[] = [];
  const seen = new Set<unknown>();
  const visit = (ref: ModuleRef) => {
    if (seen.has(ref)) return;
    seen.add(ref);
    const type = 'module' in ref ? ref.module : ref;
    const dynamic: Partial<DynamicModule> = 'module' in ref ? ref : {};
    const metadata = (key: string) =>
      (Reflect.getMetadata(key, type) as unknown[] | undefined) ?? [];
    const controllers = [
      ...metadata(MODULE_METADATA.CONTROLLERS),
      ...(dynamic.controllers ?? []),
    ] as Type[];
    for (const controller of controllers) routes.push(...routesOfController(controller));
    for (const imported of [...metadata(MODULE_METADATA.IMPORTS), ...(dynamic.imports ?? [])])
      visit(imported as ModuleRef);
  };
  visit(root);
  return routes.sort((a, b) => a.route.localeCompare(b.route));
}

function routesOfController(controller: Type): HttpRoute[] {
  const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
  const classRule = Reflect.getMetadata(ACCESS_METADATA, controller) as AccessRule | undefined;
  const prototype = controller.prototype as Record<string, unknown>;
  return Object.getOwnPropertyNames(prototype).flatMap((name) => {
    const handler = prototype[name];
    if (typeof handler !== 'function' || name === 'constructor') return [];
    const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
    const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
    if (path === undefined || method === undefined) return [];
    const route = `${RequestMethod[method]} ${join(base, path)}`;
    const rule =
      (Reflect.getMetadata(ACCESS_METADATA, handler) as AccessRule | undefined) ?? classRule;
    const access = rule
      ? 'operator' in rule
        ? 'operator'
        : 'page' in rule
          ? 'open'
          : rule.scope
      : OPEN_PATHS.includes(join(base, path))
        ? 'open'
        : 'none';
    return [{ route, access }];
  });
}

/**
 * Every route a running service's OpenAPI document lists, as `GET /api/x/:tenant`. The
 * document answers any valid key; routes excluded from it (/metrics) are not among them.
 */
export async function documentedRoutes(url: string, apiKey: string): Promise<string[]> {
  const res = await fetch(`${url}/docs-json`, { headers: { 'x-api-key': apiKey } });
  if (!res.ok) throw new Error(`${url}/docs-json answered ${res.status}: ${await res.text()}`);
  const { paths } = (await res.json()) as { paths: Record<string, Record<string, unknown>> };
  const methods = /^(get|put|post|delete|options|head|patch|trace)$/;
  return Object.entries(paths)
    .flatMap(([path, operations]) =>
      Object.keys(operations)
        .filter((key) => methods.test(key))
        .map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`),
    )
    .sort();
}

/**
 * Routes a module declares that its running app's OpenAPI document leaves out, the open paths
 * aside: what a test reading the document (deploy/test/route-access.spec.ts) would not see.
 */
export async function undocumentedRoutes(
  module: ModuleRef,
  url: string,
  apiKey: string,
): Promise<string[]> {
  const documented = new Set(await documentedRoutes(url, apiKey));
  return httpRoutesOf(module)
    .map(({ route }) => route)
    .filter((route) => !documented.has(route) && !OPEN_PATHS.some((p) => route === `GET ${p}`));
}
