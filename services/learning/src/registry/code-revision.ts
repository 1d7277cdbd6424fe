import { execFileSync } from 'node:child_process';

let revision: string | undefined;

/**
 * The code a model was trained by: REFINERY_REVISION when the deployment sets it (images have no
 * .git), else the checkout's commit, else "unknown".
 */
export function codeRevision(): string {
  revision ??=
    process.env.REFINERY_REVISION ||
    (() => {
      try {
        return execFileSync('git', ['rev-parse', 'HEAD'], {
          encoding: 'utf8',
          stdio: 'pipe',
        }).trim();
      } catch {
        return 'unknown';
      }
    })();
  return revision;
}
