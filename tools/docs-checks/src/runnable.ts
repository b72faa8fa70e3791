import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import type { CodeBlock, MarkdownFile } from './markdown.ts';

/**
 * The marker that makes a fenced block part of the docs check: ```` ```bash runnable ````. Such a
 * block runs with `bash -euo pipefail` from the repository root and must exit 0. Only mark blocks
 * that are fast and offline: no AWS credentials, no network, no long-lived server.
 */
export const RUNNABLE = 'runnable';

export function runnableBlocks(file: MarkdownFile): CodeBlock[] {
  return file.codeBlocks.filter((block) => block.attributes.includes(RUNNABLE));
}

export interface BlockRun {
  readonly exitCode: number | null;
  readonly output: string;
}

/**
 * Runs one block as npm would run a script: Node 24 and the workspace's binaries first on the PATH.
 * The time limit only ends a block that hangs; a block that finishes, however slowly, is judged by
 * its exit code alone.
 */
export function runBlock(root: string, block: CodeBlock, timeLimitMs = 300_000): BlockRun {
  if (block.language !== 'bash' && block.language !== 'sh') {
    return { exitCode: null, output: `only bash blocks can be runnable, this one is ${block.language}` };
  }
  const result = spawnSync('bash', ['-euo', 'pipefail', '-c', block.code], {
    cwd: root,
    encoding: 'utf8',
    timeout: timeLimitMs,
    env: {
      ...process.env,
      PATH: [dirname(process.execPath), join(root, 'node_modules', '.bin'), process.env.PATH].join(':'),
    },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  if (result.error) return { exitCode: null, output: `${result.error.message}\n${output}` };
  return { exitCode: result.status, output };
}
