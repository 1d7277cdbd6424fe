import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Runs the command and, once it has exited, removes its directory ($1, when not empty). Its
 * standard input is a pipe from the process that started it, which reaches end-of-file when
 * that process goes away however it does (Ctrl-C, a kill, a crash): the command is then sent
 * SIGTERM, so nothing is left running or on disk. Ctrl-C reaches the whole process group, so
 * the guard itself ignores it.
 */
const GUARD = `
dir=$1; shift
exec 3<&0
"$@" </dev/null &
pid=$!
trap '' INT
trap 'kill $pid 2>/dev/null' TERM HUP
{ read -r _ <&3; kill $pid 2>/dev/null; } &
reader=$!
exec 3<&-
status=0
wait $pid || status=$?
while kill -0 $pid 2>/dev/null; do wait $pid || status=$?; done
kill $reader 2>/dev/null
[ -z "$dir" ] || rm -rf "$dir"
exit $status
`;

/**
 * `command` under a guard that stops it when the caller goes away; its output on the guard's
 * stdout and stderr. `dir`, when given, is removed once the command has exited.
 */
export function spawnGuarded(
  command: string[],
  options: { env?: NodeJS.ProcessEnv; cwd?: string; dir?: string } = {},
): ChildProcess {
  return spawn('/bin/sh', ['-c', GUARD, 'guard', options.dir ?? '', ...command], {
    env: options.env ?? process.env,
    cwd: options.cwd,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

/**
 * Closing its input has the guard send the command SIGTERM; a signal to the guard follows only
 * if that does not work in time. Resolves once the guard has exited.
 */
export function stopGuarded(guard: ChildProcess, graceMs = 5_000): Promise<void> {
  if (guard.exitCode !== null || guard.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const term = setTimeout(() => guard.kill('SIGTERM'), graceMs);
    const force = setTimeout(() => guard.kill('SIGKILL'), graceMs * 2);
    guard.once('exit', () => {
      clearTimeout(term);
      clearTimeout(force);
      resolve();
    });
    guard.stdin?.end();
  });
}

/**
 * SIGKILL to the guarded command itself, as a crash or an OOM kill would end it: no handler
 * runs, nothing is drained. Resolves once the guard has seen it exit.
 */
export function killGuarded(guard: ChildProcess): Promise<void> {
  if (guard.exitCode !== null || guard.signalCode !== null) return Promise.resolve();
  const exited = new Promise<void>((resolve) => guard.once('exit', () => resolve()));
  const children = readFileSync(`/proc/${guard.pid}/task/${guard.pid}/children`, 'utf8')
    .trim()
    .split(/\s+/)
    .filter(Boolean)
    .map(Number);
  // The guard's children: the command and the reader waiting on the guard's input.
  for (const pid of children) {
    const command = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    if (!command.startsWith('/bin/sh')) process.kill(pid, 'SIGKILL');
  }
  return exited;
}
