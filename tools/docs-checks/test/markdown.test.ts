import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { brokenLinks } from '../src/links.ts';
import { markdownFiles, parseMarkdown, readMarkdown } from '../src/markdown.ts';
import { mermaidError } from '../src/mermaid.ts';
import { runBlock, runnableBlocks } from '../src/runnable.ts';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const files = markdownFiles(root).map((path) => readMarkdown(root, path));
const byPath = new Map(files.map((file) => [file.path, file]));
const markdownAt = (path: string) => byPath.get(path) ?? readMarkdown(root, path);

describe('the docs check reads Markdown as GitHub renders it', () => {
  const sample = parseMarkdown(
    'sample.md',
    [
      '# The `npm start` flow',
      'See [the flow](#the-npm-start-flow), [layout](layout.md#inside-a-service) and `[not](a-link.md)`.',
      '```bash runnable',
      'echo "[not a link](nowhere.md)"',
      '```',
      '## The flow',
      '## The flow',
    ].join('\n'),
  );

  it('finds links outside code, with their line, and headings as GitHub anchors', () => {
    expect(sample.links).toEqual([
      { target: '#the-npm-start-flow', line: 2 },
      { target: 'layout.md#inside-a-service', line: 2 },
    ]);
    expect([...sample.anchors]).toEqual(['the-npm-start-flow', 'the-flow', 'the-flow-1']);
  });

  it('finds fenced blocks with their language, marker and opening line', () => {
    expect(sample.codeBlocks).toEqual([
      { language: 'bash', attributes: ['runnable'], code: 'echo "[not a link](nowhere.md)"', line: 3 },
    ]);
  });

  it('reports a link to a missing file and to a missing heading, with file:line', () => {
    const file = parseMarkdown(
      'docs/sample.md',
      'A [gone](gone.md) and a [bad anchor](layout.md#no-such-heading).',
    );
    expect(brokenLinks(root, file, markdownAt)).toEqual([
      { location: 'docs/sample.md:1', target: 'gone.md', problem: 'docs/gone.md does not exist' },
      expect.objectContaining({ location: 'docs/sample.md:1', target: 'layout.md#no-such-heading' }),
    ]);
  });

  it('refuses a Mermaid diagram that does not parse, and accepts one that does', async () => {
    expect(await mermaidError('flowchart LR\n  A --> B')).toBeUndefined();
    expect(await mermaidError('stateDiagram-v2\n  A -> B')).toMatch(/Parse error on line 2/);
  });

  it('fails a runnable block that exits non-zero, with its output', () => {
    const run = runBlock(root, {
      language: 'bash',
      attributes: ['runnable'],
      code: 'echo checking; false',
      line: 1,
    });
    expect(run).toEqual({ exitCode: 1, output: 'checking' });
  });
});

describe('every Markdown file of the repository', () => {
  it('finds the documentation: READMEs and docs/', () => {
    expect(files.map((file) => file.path)).toEqual(
      expect.arrayContaining(['README.md', 'infra/README.md', 'docs/architecture.md', 'docs/runbook.md']),
    );
  });

  it.each(files.map((file) => [file.path, file] as const))(
    '%s: every relative link resolves',
    (_path, file) => {
      const broken = brokenLinks(root, file, markdownAt).map(
        ({ location, target, problem }) => `${location}: [${target}] ${problem}`,
      );
      expect(broken, broken.join('\n')).toEqual([]);
    },
  );

  const diagrams = files.flatMap((file) =>
    file.codeBlocks
      .filter((block) => block.language === 'mermaid')
      .map((block) => [`${file.path}:${block.line}`, block] as const),
  );
  it('has Mermaid diagrams to parse', () => {
    expect(diagrams.length).toBeGreaterThan(0);
  });
  it.each(diagrams)('%s: the Mermaid diagram parses', async (location, block) => {
    const error = await mermaidError(block.code);
    // Mermaid counts lines from the diagram's first line, the one after the fence.
    const at = error?.match(/on line (\d+)/)?.[1];
    const where = at ? `${location.replace(/:\d+$/, '')}:${block.line + Number(at)}` : location;
    expect(error, `${where}: ${error}`).toBeUndefined();
  });

  const runnable = files.flatMap((file) =>
    runnableBlocks(file).map((block) => [`${file.path}:${block.line}`, block] as const),
  );
  it('has runnable blocks to run', () => {
    expect(runnable.length).toBeGreaterThan(0);
  });
  it.each(runnable)('%s: the runnable block exits 0', (location, block) => {
    const run = runBlock(root, block);
    expect(
      run.exitCode,
      `${location}: exited ${run.exitCode}\n${block.code}\n--- output ---\n${run.output}`,
    ).toBe(0);
  });
});
