// The workspace's module boundaries: dependency-cruiser run with the rules of the root
// .dependency-cruiser.mjs. npm test runs it through test/boundaries.test.ts.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cruise } from 'dependency-cruiser';
import extractDepcruiseConfig from 'dependency-cruiser/config-utl/extract-depcruise-config';

export const workspaceRoot = fileURLToPath(new URL('../../..', import.meta.url));
const rulesFile = join(workspaceRoot, '.dependency-cruiser.mjs');
const sourceFile = /\.[cm]?[jt]sx?$/;

/** One import that breaks a rule; `to` is the file it resolves to, or the specifier when it does not. */
export interface BoundaryViolation {
  from: string;
  to: string;
  rule: string;
}

export interface BoundaryReport {
  violations: BoundaryViolation[];
  /** Every module the cruise read or reached, relative to the root. */
  modules: string[];
}

/** The source files git knows under `root`: tracked ones, and new ones .gitignore does not exclude. */
export function sourceFiles(root: string): string[] {
  const listed = execFileSync('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return listed.split('\0').filter((file) => sourceFile.test(file) && existsSync(join(root, file)));
}

/** Checks the imports of `files` (relative to `root`) against the workspace's rules. */
export async function checkBoundaries(root: string, files: string[]): Promise<BoundaryReport> {
  const rules = await extractDepcruiseConfig(rulesFile);
  // The whole configuration as the rule set, so its options are validated as the CLI validates them.
  const { output } = await cruise(files, { ...rules.options, baseDir: root, validate: true, ruleSet: rules });
  if (typeof output === 'string')
    throw new Error('dependency-cruiser returned a report, not a cruise result');
  return {
    violations: output.summary.violations.map(({ from, to, rule }) => ({ from, to, rule: rule.name })),
    modules: output.modules.map(({ source }) => source),
  };
}

export const describeViolation = ({ from, to, rule }: BoundaryViolation) => `${from} → ${to} (${rule})`;
