import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Every workshop module ends with `npm run checkpoint -- <n>`; this runs each against the repository
// as it is, so a module whose checkpoint no longer passes fails here, not in a workshop room.
const root = fileURLToPath(new URL('../../../', import.meta.url));
const workshop = `${root}docs/workshop/`;
const modules = readdirSync(workshop)
  .filter((file) => /^\d\d-.+\.md$/.test(file))
  .sort();

function checkpoint(...args: string[]) {
  const result = spawnSync(process.execPath, ['tools/workshop/src/checkpoint.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
  });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('the workshop', () => {
  it('has 6 to 8 modules, each ending with the checkpoint command of its own number', () => {
    expect(modules.length).toBeGreaterThanOrEqual(6);
    expect(modules.length).toBeLessThanOrEqual(8);
    for (const file of modules) {
      const number = String(Number(file.slice(0, 2)));
      const text = readFileSync(`${workshop}${file}`, 'utf8');
      const last = text.lastIndexOf('npm run checkpoint -- ');
      expect(last, `${file} has no checkpoint command`).toBeGreaterThan(-1);
      expect(text.slice(last).startsWith(`npm run checkpoint -- ${number}\n`), file).toBe(true);
    }
  });

  it('refuses a module that does not exist, naming the ones that do', () => {
    const result = checkpoint('99');
    expect(result.status).toBe(2);
    expect(result.output).toContain('modules: 1, 2, 3, 4, 5, 6, 7');
  });

  it.each(modules.map((file) => [file, String(Number(file.slice(0, 2)))]))(
    'passes the checkpoint of %s against the repository as it is',
    (_file, number) => {
      const result = checkpoint(number);
      expect(result.output).toContain(`Checkpoint ${number} passed.`);
      expect(result.status, result.output).toBe(0);
    },
  );
});
