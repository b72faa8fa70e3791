import { type FSWatcher, readdirSync, statSync, watch } from 'node:fs';
import { join } from 'node:path';

/**
 * Calls `onChange` with the path of each file written, added, replaced or removed in `folders`
 * (in their subfolders too when `recursive`). Every folder gets a watch of its own: Node's recursive
 * fs.watch on Linux follows files, and loses a file once an editor replaces it (`sed -i`, an
 * atomic save), while a folder's watch sees the new file renamed into it. Subfolders made later are
 * watched as they appear.
 */
export function watchFolders(
  folders: readonly { folder: string; recursive: boolean }[],
  onChange: (file: string) => void,
): { close(): void } {
  const watchers = new Map<string, FSWatcher>();

  const add = (folder: string, recursive: boolean) => {
    if (watchers.has(folder)) return;
    let watcher: FSWatcher;
    try {
      watcher = watch(folder, (_event, name) => name && seen(join(folder, name.toString()), recursive));
    } catch {
      return; // Removed before it could be watched.
    }
    // A folder removed while watched ends its watch; its parent's reports the removal.
    watcher.on('error', () => forget(folder));
    watchers.set(folder, watcher);
    if (recursive) for (const child of subfolders(folder)) add(child, true);
  };
  const forget = (folder: string) => {
    for (const [path, watcher] of watchers) {
      if (path === folder || path.startsWith(`${folder}/`)) {
        watcher.close();
        watchers.delete(path);
      }
    }
  };
  const seen = (path: string, recursive: boolean) => {
    const isFolder = (() => {
      try {
        return statSync(path).isDirectory();
      } catch {
        return false;
      }
    })();
    if (!isFolder) {
      if (watchers.has(path)) forget(path);
      onChange(path);
    } else if (recursive && !watchers.has(path)) {
      add(path, true);
      // Files already in a folder moved or copied in: they changed too.
      for (const file of filesUnder(path)) onChange(file);
    }
  };

  for (const { folder, recursive } of folders) add(folder, recursive);
  return {
    close() {
      for (const watcher of watchers.values()) watcher.close();
      watchers.clear();
    },
  };
}

function subfolders(folder: string): string[] {
  try {
    return readdirSync(folder, { withFileTypes: true })
      .filter((entry) => entry.isDirectory() && entry.name !== 'node_modules')
      .map((entry) => join(folder, entry.name));
  } catch {
    return [];
  }
}

function filesUnder(folder: string): string[] {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}
