import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { COMMANDS } from '@shop/contracts/commands';
import { EVENTS } from '@shop/contracts/events';
import { describe, expect, it } from 'vitest';
import { workspaceRoot } from '../src/boundaries.ts';
import { coveredFiles, describeNameLiteral, filesToCheck, findNameLiterals } from '../src/contract-names.ts';

const names = [...Object.keys(EVENTS), ...Object.keys(COMMANDS)];
const [event] = Object.keys(EVENTS);

describe('the names of events and commands', () => {
  it('are written as literals in libs/contracts only: code, tests and fixtures say EVENTS.X or COMMANDS.X', () => {
    const files = filesToCheck(workspaceRoot);
    expect(files.length).toBeGreaterThan(100);
    expect(findNameLiterals(workspaceRoot, files, names).map(describeNameLiteral)).toEqual([]);
  });

  it('finds a name written as a string, a template, a JSON value or prose in src/, and lets test titles and EVENTS.X pass', () => {
    const root = mkdtempSync(join(tmpdir(), 'contract-names-'));
    const files: Record<string, string> = {
      'apps/orders/test/string.test.ts': `expect(detailType).toBe('${event}');\n`,
      'apps/orders/src/template.ts': `const type = \`${event}\`;\n`,
      'apps/orders/test/embedded.test.ts': `const body = '{"detail-type":"${event}"}';\n`,
      'libs/testing/src/fixtures/event.json': `{\n  "detail-type": "${event}"\n}\n`,
      'apps/orders/test/prose.test.ts': `it('moves the order on ${event}', () => {});\n// '${event}' in a comment\n`,
      'infra/src/description.ts': `const description = 'Moves orders on ${event}.';\n`,
      'apps/orders/src/contract.ts': `parseEvent(body, [EVENTS.${event}]);\n`,
    };
    try {
      for (const [file, text] of Object.entries(files)) {
        mkdirSync(dirname(join(root, file)), { recursive: true });
        writeFileSync(join(root, file), text);
      }
      expect(
        findNameLiterals(root, coveredFiles(Object.keys(files)), names).map(describeNameLiteral),
      ).toEqual([
        `apps/orders/test/string.test.ts:1 ${event}`,
        `apps/orders/src/template.ts:1 ${event}`,
        `apps/orders/test/embedded.test.ts:1 ${event}`,
        `libs/testing/src/fixtures/event.json:2 ${event}`,
        `infra/src/description.ts:1 ${event}`,
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  });
});
