#!/usr/bin/env node
// Checks that a pull request title follows Conventional Commits, as .github/workflows/pr-title.yml
// runs it: PR_TITLE='feat(orders): cancel a paid order' node tools/workspace/src/check-pr-title.ts
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TYPES = [
  'feat',
  'fix',
  'docs',
  'style',
  'refactor',
  'perf',
  'test',
  'build',
  'ci',
  'chore',
  'revert',
];

const CONVENTIONAL = new RegExp(`^(?:${TYPES.join('|')})(?:\\([a-z0-9][a-z0-9-]*\\))?!?: \\S.*$`);

/** Why a title is refused, or undefined when it is a conventional one. */
export function titleProblem(title: string): string | undefined {
  if (CONVENTIONAL.test(title)) return undefined;
  return (
    `"${title}" is not a Conventional Commits title. Write <type>[(scope)][!]: <summary>, where type is ` +
    `one of ${TYPES.join(', ')}; e.g. "feat(orders): cancel a paid order" or "fix!: reject negative amounts".`
  );
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  const problem = titleProblem(process.env.PR_TITLE ?? '');
  if (problem) {
    console.error(problem);
    process.exit(1);
  }
  console.log('The pull request title is a Conventional Commits title.');
}
