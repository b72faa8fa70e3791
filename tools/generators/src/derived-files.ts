import { execFileSync } from 'node:child_process';
import { logger } from '@nx/devkit';

/** A command the generators run once their files are on disk: what it does, and how. */
export type Step = readonly [title: string, command: string, args: readonly string[]];

export const formatting = (files: readonly string[]): Step => [
  'Formatting the files written',
  'npx',
  ['biome', 'check', '--write', ...files.filter((path) => /\.(ts|json)$/.test(path))],
];

/** Synth reads every function's bundle: they are built before any document is derived from it. */
export const BUNDLES: Step = [
  'Bundling the functions (nx: only what changed)',
  'npx',
  ['nx', 'run-many', '-t', 'build', '--outputStyle=static'],
];
export const API_DOCUMENTS: Step = [
  'Regenerating docs/api from the contracts and the templates',
  'npm',
  ['run', '--silent', 'api-docs'],
];
export const RESOURCE_TABLE: Step = [
  'Regenerating the resource table from the templates',
  'npm',
  ['run', '--silent', 'resource-table', '--workspace', '@shop/docs-checks'],
];
export const RUNBOOK_TABLES: Step = [
  "Regenerating the runbook's alarm tables from the templates",
  'npm',
  ['run', '--silent', 'runbook-tables', '--workspace', '@shop/docs-checks'],
];

/** Runs the steps in order, each announced, with its output in the terminal; the first failure stops them. */
export function runSteps(root: string, steps: readonly Step[]): void {
  for (const [title, command, args] of steps) {
    logger.info(`${title}…`);
    execFileSync(command, [...args], { cwd: root, stdio: 'inherit' });
  }
}
