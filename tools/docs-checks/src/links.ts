import { existsSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import type { MarkdownFile } from './markdown.ts';

/** A link that leads nowhere, with where it is written and why it fails. */
export interface BrokenLink {
  readonly location: string;
  readonly target: string;
  readonly problem: string;
}

const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/**
 * Checks every relative link of `file` (paths relative to `root`): the file or folder exists inside
 * the repository, and a `#fragment` names a heading of the Markdown file it points at.
 * `http(s):`/`mailto:` links are left alone: the check runs offline.
 */
export function brokenLinks(
  root: string,
  file: MarkdownFile,
  markdownAt: (path: string) => MarkdownFile,
): BrokenLink[] {
  const broken: BrokenLink[] = [];
  for (const { target, line } of file.links) {
    if (EXTERNAL.test(target)) continue;
    const location = `${file.path}:${line}`;
    const [pathPart = '', fragment] = target.split('#', 2);
    const path = pathPart === '' ? file.path : normalize(join(dirname(file.path), decodeURI(pathPart)));
    if (path.startsWith('..') || relative(root, join(root, path)).startsWith('..')) {
      broken.push({ location, target, problem: 'leads outside the repository' });
      continue;
    }
    if (!existsSync(join(root, path))) {
      broken.push({ location, target, problem: `${path} does not exist` });
      continue;
    }
    if (fragment === undefined || fragment === '') continue;
    if (!path.endsWith('.md') || statSync(join(root, path)).isDirectory()) {
      broken.push({ location, target, problem: `#${fragment} points into ${path}, which is not Markdown` });
      continue;
    }
    const anchors = markdownAt(path).anchors;
    if (!anchors.has(fragment)) {
      broken.push({
        location,
        target,
        problem: `${path} has no heading #${fragment} (its anchors: ${[...anchors].join(', ') || 'none'})`,
      });
    }
  }
  return broken;
}
