import { readFileSync, writeFileSync } from 'node:fs';
import { relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/**
 * A part of a Markdown document that a generator of this package writes, between two HTML comments;
 * the rest of the document is written by hand. The opening comment names the command that rewrites
 * the part, so whoever reads the Markdown knows to change the source rather than the text.
 */
export interface GeneratedRegion {
  /** Absolute path of the document. */
  readonly document: string;
  /** The region's name in its markers, e.g. `RESOURCE TABLE`: once per document. */
  readonly name: string;
  /** The script of @shop/docs-checks that rewrites it. */
  readonly script: string;
}

export const regenerateCommand = (region: GeneratedRegion) => `npm run ${region.script} -w @shop/docs-checks`;

export const beginMarker = (region: GeneratedRegion) =>
  `<!-- BEGIN ${region.name}: generated; edit the source and run ${regenerateCommand(region)} -->`;

export const endMarker = (region: GeneratedRegion) => `<!-- END ${region.name} -->`;

export const repositoryPath = (path: string) => relative(ROOT, path);

/** `document` with the text between the region's markers replaced by `content`. */
export function withRegion(document: string, region: GeneratedRegion, content: string): string {
  const begin = beginMarker(region);
  const end = endMarker(region);
  const start = document.indexOf(begin);
  const stop = document.indexOf(end, start);
  if (start < 0 || stop < 0 || document.includes(begin, start + begin.length)) {
    throw new Error(
      `${repositoryPath(region.document)} needs each of these markers once, in this order:\n${begin}\n${end}`,
    );
  }
  return `${document.slice(0, start + begin.length)}\n${content}\n${document.slice(stop)}`;
}

/** The document as committed, with every region replaced by the content given for it. */
export function withFreshRegions(
  committed: string,
  regions: readonly (readonly [GeneratedRegion, string])[],
): string {
  return regions.reduce((document, [region, content]) => withRegion(document, region, content), committed);
}

/** The first `limit` lines where the committed document and the fresh one differ, one message each. */
export function driftOf(document: string, committed: string, fresh: string, limit = 5): string[] {
  const committedLines = committed.split('\n');
  const freshLines = fresh.split('\n');
  const messages: string[] = [];
  for (let index = 0; index < Math.max(committedLines.length, freshLines.length); index++) {
    if (committedLines[index] === freshLines[index]) continue;
    messages.push(
      `${repositoryPath(document)}:${index + 1}: is ${committedLines[index]}\n  expected ${freshLines[index]}`,
    );
    if (messages.length === limit) break;
  }
  return messages;
}

/**
 * The command line of a generator: rewrites its regions of one document with what `render` returns,
 * or, given `--check`, exits 1 when the committed document differs from that. The docs check in
 * `npm test` makes the same comparison.
 */
export function runGenerator(
  what: string,
  render: () => readonly (readonly [GeneratedRegion, string])[],
  argv: readonly string[] = process.argv,
): void {
  const regions = render();
  const [first] = regions;
  if (!first || regions.some(([region]) => region.document !== first[0].document)) {
    throw new Error(`${what}: expected regions of one document`);
  }
  const path = first[0].document;
  const current = readFileSync(path, 'utf8');
  const updated = withFreshRegions(current, regions);
  const shown = repositoryPath(path);
  if (updated === current) {
    console.log(`${what} in ${shown}: current.`);
  } else if (argv.includes('--check')) {
    console.error(`${what} in ${shown}: out of date, run ${regenerateCommand(first[0])}`);
    process.exit(1);
  } else {
    writeFileSync(path, updated);
    console.log(`Wrote ${what} to ${shown}.`);
  }
}
