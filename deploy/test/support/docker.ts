import { readText } from './repo';

export interface Instruction {
  readonly keyword: string;
  readonly args: string;
}

export interface Stage {
  readonly from: string;
  readonly name?: string;
  readonly instructions: Instruction[];
}

/** Dockerfile instructions grouped by stage; `ARG`s before the first FROM are returned apart. */
export function readDockerfile(path: string): {
  globalArgs: Record<string, string>;
  stages: Stage[];
} {
  const logical = readText(path)
    .split('\n')
    .filter((line) => !/^\s*#/.test(line))
    .join('\n')
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword, args] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const instruction = { keyword: keyword.toUpperCase(), args };
    if (instruction.keyword === 'FROM') {
      const [, from, name] = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(args) ?? [];
      stages.push({ from, name, instructions: [] });
    } else if (stages.length === 0 && instruction.keyword === 'ARG') {
      const [name, value = ''] = args.split('=');
      globalArgs[name] = value;
    } else {
      stages.at(-1)?.instructions.push(instruction);
    }
  }
  return { globalArgs, stages };
}

const GLOB = new Map([
  ['**/', '(?:.*/)?'],
  ['**', '(?:.*/)?'],
  ['*', '[^/]*'],
  ['?', '[^/]'],
]);

function globToRegex(pattern: string): RegExp {
  const parts = pattern.split(/(\*\*\/?|\*|\?)/);
  const source = parts.map((part) => GLOB.get(part) ?? part.replace(/[.+^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(`^${source.join('')}$`);
}

/** Whether `.dockerignore` keeps a path out of the build context (last matching rule wins). */
export function dockerIgnores(rules: string[], path: string): boolean {
  const segments = path.split('/');
  let ignored = false;
  for (const rule of rules) {
    const negated = rule.startsWith('!');
    const regex = globToRegex((negated ? rule.slice(1) : rule).replace(/^\/+|\/+$/g, ''));
    // A rule that matches a directory applies to everything inside it.
    if (segments.some((_, i) => regex.test(segments.slice(0, i + 1).join('/')))) ignored = !negated;
  }
  return ignored;
}

export function dockerignoreRules(): string[] {
  return readText('.dockerignore')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}
