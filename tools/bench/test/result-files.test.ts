import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  commitOf,
  DEFAULT_SETTINGS,
  RECORDED_FILE,
  RESULTS_FILE,
  recordRefusal,
  writeResultFiles,
} from '../src/result-files.ts';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'bench-result-files-'));
});
afterEach(() => rmSync(root, { recursive: true, force: true }));

describe('the files a bench run writes', () => {
  it('a plain run writes bench/results.json and leaves the recorded figures alone', () => {
    writeResultFiles(root, { run: 'earlier' }, { record: true });
    expect(writeResultFiles(root, { run: 'plain' }, { record: false })).toEqual([RESULTS_FILE]);
    expect(JSON.parse(readFileSync(join(root, RESULTS_FILE), 'utf8'))).toEqual({ run: 'plain' });
    expect(JSON.parse(readFileSync(join(root, RECORDED_FILE), 'utf8'))).toEqual({ run: 'earlier' });
  });

  it('a recorded run writes the same results to bench/results.json and bench/recorded.json', () => {
    expect(writeResultFiles(root, { run: 'recorded' }, { record: true })).toEqual([
      RESULTS_FILE,
      RECORDED_FILE,
    ]);
    expect(readFileSync(join(root, RECORDED_FILE), 'utf8')).toBe(
      readFileSync(join(root, RESULTS_FILE), 'utf8'),
    );
  });

  it('a plain run into an empty folder creates no recorded file', () => {
    writeResultFiles(root, {}, { record: false });
    expect(existsSync(join(root, RECORDED_FILE))).toBe(false);
  });
});

describe('what --record accepts', () => {
  const full = { ...DEFAULT_SETTINGS };

  it('accepts a full run at the default settings or more', () => {
    expect(recordRefusal(full)).toBeUndefined();
    expect(recordRefusal({ coldRuns: 21, warmInvocations: 2000, orderScale: 2 })).toBeUndefined();
  });

  it('refuses a subset of the parts, in one sentence naming the option', () => {
    const refusal = recordRefusal({ ...full, only: ['place-order', 'end-to-end'] });
    expect(refusal).toBe(
      '--record keeps only a full run with at least the default repetitions: drop --only place-order,end-to-end, or run without --record.',
    );
  });

  it('refuses fewer cold runs, warm invocations or orders than the defaults, naming each', () => {
    expect(recordRefusal({ ...full, coldRuns: 5 })).toMatch(/raise --runs 5 to at least 15, or run without/);
    const refusal = recordRefusal({ only: ['capture'], coldRuns: 14, warmInvocations: 100, orderScale: 0.5 });
    expect(refusal).toMatch(/drop --only capture, raise --runs 14 to at least 15, raise --warm 100/);
    expect(refusal).toMatch(/and raise --orders 0\.5 to at least 1, or run without --record\.$/);
    expect(refusal?.split('. ')).toHaveLength(1);
  });
});

describe('the commit a run names', () => {
  const git = (...args: string[]) =>
    execFileSync('git', ['-c', 'user.name=bench', '-c', 'user.email=bench@example.com', ...args], {
      cwd: root,
      encoding: 'utf8',
    }).trim();

  it('is the checkout HEAD, and says when tracked files differ from it', () => {
    git('init', '--quiet');
    writeFileSync(join(root, 'file.txt'), 'one\n');
    git('add', 'file.txt');
    git('commit', '--quiet', '-m', 'one');
    const head = git('rev-parse', 'HEAD');
    writeFileSync(join(root, 'untracked.txt'), 'not part of the measured code\n');
    expect(commitOf(root)).toEqual({ sha: head, uncommittedChanges: false });
    writeFileSync(join(root, 'file.txt'), 'two\n');
    expect(commitOf(root)).toEqual({ sha: head, uncommittedChanges: true });
  });

  it('is null outside a git checkout', () => {
    expect(commitOf(root)).toBeNull();
  });
});
