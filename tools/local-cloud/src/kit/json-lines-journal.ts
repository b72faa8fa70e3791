import { appendFileSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * A JSON-lines file the local services keep under `--persist` so that what they acknowledged
 * survives a killed process: each line is written synchronously before the acknowledgement, and on
 * the next start the file is read back and rewritten with what is still open.
 */
export class JsonLinesJournal<Line> {
  readonly file: string;

  constructor(dir: string, name: string) {
    mkdirSync(dir, { recursive: true });
    this.file = join(dir, name);
  }

  /** The lines a previous run wrote, in order. */
  read(): Line[] {
    if (!existsSync(this.file)) return [];
    const lines: Line[] = [];
    for (const text of readFileSync(this.file, 'utf8').split('\n')) {
      if (!text) continue;
      try {
        lines.push(JSON.parse(text) as Line);
      } catch {
        // The last line of a killed process may be cut short: what it began is not acknowledged.
      }
    }
    return lines;
  }

  /**
   * Replaces the file with these lines in one rename: a kill at any point leaves one of the two
   * files whole (emptying the file, then appending, lost everything to a kill in between).
   */
  rewrite(lines: readonly Line[]): void {
    const next = `${this.file}.next`;
    writeFileSync(next, serialize(lines));
    renameSync(next, this.file);
  }

  append(lines: readonly Line[]): void {
    appendFileSync(this.file, serialize(lines));
  }
}

const serialize = (lines: readonly unknown[]) => lines.map((line) => `${JSON.stringify(line)}\n`).join('');
