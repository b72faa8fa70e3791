#!/usr/bin/env node
// The `prepare` script: points git at the committed hooks in .githooks (pre-commit: Biome on the
// staged files). Does nothing in CI, outside a git checkout (a tarball, an npm pack) or without git.
import { spawnSync } from 'node:child_process';

const git = (...args) => spawnSync('git', args, { encoding: 'utf8' });

if (process.env.CI) process.exit(0);
const inside = git('rev-parse', '--is-inside-work-tree');
if (inside.error || inside.status !== 0 || inside.stdout.trim() !== 'true') process.exit(0);
const set = git('config', 'core.hooksPath', '.githooks');
if (set.status !== 0) {
  console.warn(`Could not install the git hooks (git config core.hooksPath .githooks): ${set.stderr.trim()}`);
}
