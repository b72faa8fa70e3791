// Where an event or command name is written as a literal outside libs/contracts. npm test runs it
// through test/contract-names.test.ts; everything else says EVENTS.X.type or COMMANDS.X.type.
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAst } from 'rolldown/parseAst';

/** One string literal (or JSON string) that spells a contract's name. */
export interface NameLiteral {
  file: string;
  line: number;
  name: string;
}

const scanned = /^(apps|libs|tools|infra)\/.*\.(ts|mts|js|mjs|json)$/;

/**
 * The files the rule covers among `files`: every package's code, tests and fixtures, the contracts
 * apart, and the parity reports npm run e2e records (a run's output: a renamed event fails the
 * test that holds each run to them, and they are written again, never edited).
 */
export const coveredFiles = (files: string[]) =>
  files.filter(
    (file) =>
      scanned.test(file) && !file.startsWith('libs/contracts/') && !file.startsWith('tools/e2e/parity/'),
  );

/** The covered files git knows under `root`: tracked ones, and new ones .gitignore does not exclude. */
export function filesToCheck(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return coveredFiles(listed.split('\0')).filter((file) => existsSync(join(root, file)));
}

/**
 * In a package's src/, the code that runs or deploys, no string may spell a name, not even in prose
 * (a description or a log message says `${EVENTS.X.type}`, so a renamed event leaves no stale text).
 * Elsewhere (tests, fixtures) a literal names a contract when it is the name itself
 * (`'OrderShipped'`) or carries it as a quoted JSON value (`'{"detail-type":"OrderShipped"}'`);
 * a test title that mentions a name is prose.
 */
function namesIn(file: string, value: string, names: readonly string[]): string[] {
  if (/(^|\/)src\//.test(file)) return names.filter((name) => new RegExp(`\\b${name}\\b`).test(value));
  return names.filter((name) => value.trim() === name || value.includes(`"${name}"`));
}

const lineOf = (source: string, offset: number) => source.slice(0, offset).split('\n').length;

/** The text of a string literal or of a template literal's quasi; undefined for any other node. */
function literalText(node: { type?: string; value?: unknown }): string | undefined {
  if (node.type === 'Literal' && typeof node.value === 'string') return node.value;
  if (node.type === 'TemplateElement') return (node.value as { cooked?: string | null }).cooked ?? undefined;
  return undefined;
}

function scanCode(file: string, source: string, names: readonly string[]): NameLiteral[] {
  const found: NameLiteral[] = [];
  const visit = (node: unknown): void => {
    if (node === null || typeof node !== 'object') return;
    const literal = literalText(node);
    if (literal !== undefined) {
      const line = lineOf(source, (node as { start: number }).start);
      for (const name of namesIn(file, literal, names)) found.push({ file, line, name });
    }
    for (const child of Object.values(node)) visit(child);
  };
  visit(parseAst(source, { lang: file.endsWith('js') ? 'js' : 'ts', sourceType: 'module' }, file));
  return found;
}

function scanJson(file: string, text: string, names: readonly string[]): NameLiteral[] {
  return text
    .split('\n')
    .flatMap((line, index) =>
      names.filter((name) => line.includes(`"${name}"`)).map((name) => ({ file, line: index + 1, name })),
    );
}

/** Every literal spelling one of `names` in `files` (relative to `root`). */
export function findNameLiterals(root: string, files: string[], names: readonly string[]): NameLiteral[] {
  return files.flatMap((file) => {
    const text = readFileSync(join(root, file), 'utf8');
    return file.endsWith('.json') ? scanJson(file, text, names) : scanCode(file, text, names);
  });
}

export const describeNameLiteral = ({ file, line, name }: NameLiteral) => `${file}:${line} ${name}`;
