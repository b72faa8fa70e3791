import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import GithubSlugger from 'github-slugger';

/**
 * Just enough of Markdown for the docs check: fenced code blocks with their info string, relative
 * links, and the anchors GitHub gives headings, each with the line it is on (1-based) so a failure
 * points at `file:line`. A line scanner rather than a full parser: the docs use plain CommonMark
 * (fences, inline links, ATX headings), and it keeps line numbers exact.
 */
export interface CodeBlock {
  /** The first word of the info string: `bash`, `mermaid`, `ts`, ... */
  readonly language: string;
  /** The rest of the info string, e.g. `runnable` in ```` ```bash runnable ````. */
  readonly attributes: readonly string[];
  readonly code: string;
  /** Line of the opening fence. */
  readonly line: number;
}

export interface Link {
  readonly target: string;
  readonly line: number;
}

export interface MarkdownFile {
  readonly path: string;
  readonly codeBlocks: readonly CodeBlock[];
  readonly links: readonly Link[];
  /** The `#fragment`s that lead somewhere in this file: one per heading, as GitHub renders them. */
  readonly anchors: ReadonlySet<string>;
}

const FENCE = /^ {0,3}(`{3,}|~{3,})\s*([^`\s]*)\s*(.*)$/;
const HEADING = /^ {0,3}#{1,6}\s+(.*?)\s*#*\s*$/;
// [text](target "title") and ![alt](target); the target has no spaces in these docs.
const INLINE_LINK = /!?\[(?:[^\]`]|`[^`]*`)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const REFERENCE_DEFINITION = /^ {0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+"[^"]*")?\s*$/;
const INLINE_CODE = /(`+)(?:(?!\1).)+\1/g;
const HTML_ANCHOR = /<a\s+(?:name|id)="([^"]+)"/g;

export function parseMarkdown(path: string, text: string): MarkdownFile {
  const codeBlocks: CodeBlock[] = [];
  const links: Link[] = [];
  const anchors = new Set<string>();
  const slugger = new GithubSlugger();
  const lines = text.split('\n');
  let fence: { marker: string; language: string; attributes: string[]; line: number; body: string[] } | null =
    null;

  for (const [index, content] of lines.entries()) {
    const line = index + 1;
    const opening = FENCE.exec(content);
    if (fence) {
      // A closing fence repeats the opening character at least as many times, with no info string.
      const closing = opening?.[1];
      const closes =
        closing !== undefined &&
        closing[0] === fence.marker[0] &&
        closing.length >= fence.marker.length &&
        !opening?.[2] &&
        !opening?.[3];
      if (closes) {
        codeBlocks.push({
          language: fence.language,
          attributes: fence.attributes,
          code: fence.body.join('\n'),
          line: fence.line,
        });
        fence = null;
      } else {
        fence.body.push(content);
      }
      continue;
    }
    if (opening?.[1]) {
      fence = {
        marker: opening[1],
        language: (opening[2] ?? '').toLowerCase(),
        attributes: (opening[3] ?? '').split(/\s+/).filter(Boolean),
        line,
        body: [],
      };
      continue;
    }

    const heading = HEADING.exec(content);
    if (heading?.[1] !== undefined) anchors.add(slugger.slug(headingText(heading[1])));
    for (const match of content.matchAll(HTML_ANCHOR)) if (match[1]) anchors.add(match[1]);

    const reference = REFERENCE_DEFINITION.exec(content);
    if (reference?.[1]) links.push({ target: reference[1], line });
    const prose = content.replace(INLINE_CODE, '');
    for (const match of prose.matchAll(INLINE_LINK)) if (match[1]) links.push({ target: match[1], line });
  }
  if (fence) throw new Error(`${path}:${fence.line}: this code fence is never closed`);
  return { path, codeBlocks, links, anchors };
}

/** The text GitHub slugs a heading from: what it renders, without link targets or code ticks. */
function headingText(markdown: string): string {
  return markdown
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/`/g, '')
    .replace(/(\*\*|__)(.*?)\1/g, '$2');
}

/** Folders that hold no documentation of ours: dependencies, build output, caches. */
const NOT_DOCS = new Set([
  'node_modules',
  'dist',
  'coverage',
  'cdk.out',
  '.cdk.out',
  'reports',
  '.nx',
  '.git',
]);

/** Every Markdown file of the repository, as paths relative to `root`, sorted. */
export function markdownFiles(root: string, directory = root): string[] {
  return readdirSync(directory, { withFileTypes: true })
    .flatMap((entry) => {
      if (entry.isDirectory())
        return NOT_DOCS.has(entry.name) ? [] : markdownFiles(root, join(directory, entry.name));
      return entry.isFile() && entry.name.endsWith('.md')
        ? [relative(root, join(directory, entry.name))]
        : [];
    })
    .sort();
}

export function readMarkdown(root: string, path: string): MarkdownFile {
  return parseMarkdown(path, readFileSync(join(root, path), 'utf8'));
}
