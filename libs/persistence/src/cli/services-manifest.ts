import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';

const ManifestSchema = z.object({
  /** Node flags every service runs with. */
  nodeFlags: z.array(z.string()).default([]),
  /** Tenants and API keys: read by every service, written by the owner's migrations and API. */
  sharedSchema: z.object({ schema: z.string().min(1), owner: z.string().min(1) }).optional(),
  services: z.array(
    z.object({
      name: z.string().min(1),
      port: z.number().int(),
      schema: z.string().min(1),
      main: z.string().min(1),
      /** Whether the rules engine's read-only role may read the schema (READONLY_SCHEMAS overrides). */
      readableByRules: z.boolean().default(true),
      /** Whether the schema gets a read-only login of its own, `refinery_<schema>_reader`. */
      reader: z.boolean().default(false),
    }),
  ),
});

export type ServicesManifest = z.infer<typeof ManifestSchema>;

/** The workspace root: the nearest directory above `from` whose package.json is named "refinery". */
export function findWorkspaceRoot(from: string): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && packageName(manifest) === 'refinery') return dir;
    if (dirname(dir) === dir) throw new Error(`no refinery package.json above ${from}`);
  }
}

export function readServicesManifest(path: string): ServicesManifest {
  const parsed = ManifestSchema.safeParse(JSON.parse(readFileSync(path, 'utf8')));
  if (!parsed.success) {
    const problems = parsed.error.issues.map(
      (issue) => `${issue.path.join('.')}: ${issue.message}`,
    );
    throw new Error(`${path} is not a valid services manifest: ${problems.join('; ')}`);
  }
  return parsed.data;
}

function packageName(path: string): unknown {
  const parsed: unknown = JSON.parse(readFileSync(path, 'utf8'));
  return typeof parsed === 'object' && parsed !== null && 'name' in parsed
    ? parsed.name
    : undefined;
}
