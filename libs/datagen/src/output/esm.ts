import { createRequire } from 'node:module';
import { runInThisContext } from 'node:vm';

/**
 * require() for packages published only as ES modules (hyparquet, hyparquet-writer). Node 24
 * loads those synchronously with require(), and the sinks must stay synchronous, so no import().
 * Under jest, `require`, `module.createRequire` and `process.getBuiltinModule` are jest's own
 * loader, which refuses ES modules unless node runs with --experimental-vm-modules; code run by
 * vm.runInThisContext sees the real `process`, hence Node's own require. Outside jest this is
 * simply Node's require.
 */
export function requireEsm<T>(name: string): T {
  const host = runInThisContext('process') as NodeJS.Process;
  const builtin = host.getBuiltinModule('node:module') as { createRequire: typeof createRequire };
  return builtin.createRequire(__filename)(name) as T;
}
