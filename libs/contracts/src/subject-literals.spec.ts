import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import ts from 'typescript';
import { EVENTS, type EventName } from './events';
import { workspaceRoot } from './workspace-root';

/**
 * Subjects are named in libs/contracts only (`subjectOf`, `filterOf`, `filterOfAll`,
 * `tenantFilters`, `eventOf`); everywhere else, in tests and benches too, a string or template
 * literal must not spell one. The rule, on the text of each literal (`${…}` read as `{}`):
 * - a word of subject characters (letters, digits, `_ - . * > { } $ /`) that starts with the
 *   literal head of a subject in the event map (`records.received.`, `enrichment.`, `dlq.`...)
 *   is a subject, unless it is an event's name (`records.received`); in prose (a literal with
 *   a space) a word's closing full stop is punctuation, and `ingest.<tenant>` describes one;
 * - a subject inside a longer name is not checked: a module path (`./enrichment.controller`)
 *   or a JetStream API subject, which the client builds around a filter
 *   (`$JS.API.CONSUMER.CREATE.<stream>.<durable>.<filter>`);
 * - comments are documentation, not checked.
 */
const HEADS = [...new Set(Object.values(EVENTS).map((def) => def.subject.split('{')[0]))];
const NAMES = new Set<string>(Object.keys(EVENTS) as EventName[]);

function subjectsIn(text: string): string[] {
  const prose = text.includes(' ');
  return (text.match(/[\w.*>{}$/-]+/g) ?? [])
    .map((word) => (prose ? word.replace(/\.$/, '') : word))
    .filter((word) => HEADS.some((head) => word.startsWith(head)) && !NAMES.has(word));
}

const textOf = (node: ts.Node): string | undefined => {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node))
    return node.head.text + node.templateSpans.map((span) => `{}${span.literal.text}`).join('');
  return undefined;
};

/** `line: literal` for each literal of the source that spells a subject. */
function literalSubjects(file: string, source: string): string[] {
  const tree = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, false);
  const found: string[] = [];
  const visit = (node: ts.Node) => {
    const text = textOf(node);
    if (text !== undefined && subjectsIn(text).length > 0) {
      const line = tree.getLineAndCharacterOfPosition(node.getStart(tree)).line + 1;
      found.push(`${file}:${line}: ${node.getText(tree)}`);
    }
    if (!ts.isTemplateExpression(node) || text === undefined) ts.forEachChild(node, visit);
    else node.templateSpans.forEach((span) => visit(span.expression));
  };
  visit(tree);
  return found;
}

/** The tracked and the new, not ignored, script files of the tree, outside libs/contracts. */
function sourceFiles(): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '-c', '-o', '--exclude-standard'], {
    cwd: workspaceRoot,
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  return [...new Set(listed.split('\0'))].filter(
    (file) =>
      /\.[cm]?[jt]s$/.test(file) &&
      !file.startsWith('libs/contracts/') &&
      existsSync(join(workspaceRoot, file)),
  );
}

describe('subject literals', () => {
  it('are found in strings and templates, not in event names, paths or comments', () => {
    const source = [
      "const a = 'records.received.acme.order';",
      'const b = `enrichment.*.*.${tenant}`;',
      'purge({ filter: `records.received.${slug}.>` }); // records.received.x.y',
      "const c: EventPayload<'enrichment.done'> = x; subjectOf('review.requested', p);",
      "import { x } from './enrichment.controller';",
      'const d = `$JS.API.CONSUMER.CREATE.ENRICHMENT.${d}.enrichment.*.*.*`;',
      "log('publishes enrichment.completed. It starts their enrichment.');",
      "stored('DLQ', 'dlq.order-analysis'); describe('ingest.<tenant>.<type> (the NATS way in)');",
    ].join('\n');
    expect(literalSubjects('x.ts', source)).toEqual([
      "x.ts:1: 'records.received.acme.order'",
      'x.ts:2: `enrichment.*.*.${tenant}`',
      'x.ts:3: `records.received.${slug}.>`',
      "x.ts:8: 'dlq.order-analysis'",
    ]);
  });

  it('appear nowhere outside libs/contracts: use subjectOf, filterOf, filterOfAll or tenantFilters', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const found = files.flatMap((file) =>
      literalSubjects(file, readFileSync(join(workspaceRoot, file), 'utf8')),
    );
    expect(found).toEqual([]);
  });
});
