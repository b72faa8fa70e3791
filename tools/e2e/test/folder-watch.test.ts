import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { watchFolders } from '../src/watch/folder-watch.ts';

/**
 * The watcher's view of a folder: every save is seen, an editor's atomic save (a new file renamed
 * over the old, as `sed -i` does) every time, and files in a folder made after the watch began.
 */
let root: string;
let watcher: { close(): void } | undefined;
let waiters: { wanted: string; resolve: () => void }[] = [];

const seen = (file: string) => {
  for (const waiter of waiters.filter((each) => each.wanted === file)) waiter.resolve();
  waiters = waiters.filter((each) => each.wanted !== file);
};
/** Resolves once the watcher reports `file`; fails the test after a deadline. */
const reported = (file: string) =>
  new Promise<void>((resolve, reject) => {
    const deadline = setTimeout(() => reject(new Error(`${file} was not reported within 5 s`)), 5_000);
    waiters.push({
      wanted: file,
      resolve: () => {
        clearTimeout(deadline);
        resolve();
      },
    });
  });
/** Writes `text` as an atomic save does: to a temporary name, then renamed over the file. */
const saveAtomically = (file: string, text: string) => {
  writeFileSync(`${file}.tmp-save`, text);
  renameSync(`${file}.tmp-save`, file);
};

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'folder-watch-'));
  mkdirSync(join(root, 'src', 'domain'), { recursive: true });
  writeFileSync(join(root, 'src', 'domain', 'order.ts'), 'one');
  watcher = watchFolders([{ folder: join(root, 'src'), recursive: true }], seen);
});

afterEach(() => {
  watcher?.close();
  rmSync(root, { recursive: true, force: true });
});

describe('the folder watch', () => {
  it('reports a file replaced by an atomic save, the second time as well as the first', async () => {
    const file = join(root, 'src', 'domain', 'order.ts');
    for (const text of ['two', 'three']) {
      const report = reported(file);
      saveAtomically(file, text);
      await report;
    }
  });

  it('reports the files of a folder made after the watch began, and their saves', async () => {
    const folder = join(root, 'src', 'adapters');
    const file = join(folder, 'store.ts');
    const created = reported(file);
    mkdirSync(folder);
    writeFileSync(file, 'one');
    await created;

    const saved = reported(file);
    saveAtomically(file, 'two');
    await saved;
    expect(waiters).toEqual([]);
  });
});
