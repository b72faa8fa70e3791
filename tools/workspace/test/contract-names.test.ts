import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../../..');
const names = [...Object.keys(EVENTS), ...Object.keys(COMMANDS)];
const literal = new RegExp(`(['"\`])(${names.join('|')})\\1`, 'g');

/** The source files that run or deploy: every package's src/, the contracts apart. */
function sourceFiles(): string[] {
  const tracked = execFileSync('git', ['ls-files', '-co', '--exclude-standard'], {
    cwd: root,
    encoding: 'utf8',
  });
  return tracked
    .split('\n')
    .filter((file) => /^(apps|libs|tools)\/[^/]+\/src\/|^infra\/src\//.test(file))
    .filter((file) => /\.(ts|mts|js|mjs|html)$/.test(file))
    .filter((file) => !file.startsWith('libs/contracts/'));
}

describe('the names of events and commands', () => {
  it('are written as literals in libs/contracts only: everything else says EVENTS.X or COMMANDS.X', () => {
    const found: string[] = [];
    for (const file of sourceFiles()) {
      readFileSync(join(root, file), 'utf8')
        .split('\n')
        .forEach((line, index) => {
          for (const match of line.matchAll(literal)) found.push(`${file}:${index + 1} ${match[2]}`);
        });
    }
    expect(found).toEqual([]);
  });

  it('are found by the check when written as a literal', () => {
    expect("parseBusEventBody(body, ['PaymentCaptured'])".match(literal)).toEqual(["'PaymentCaptured'"]);
    expect('createCommand(COMMANDS.IssueInvoice, data)'.match(literal)).toBeNull();
  });
});
