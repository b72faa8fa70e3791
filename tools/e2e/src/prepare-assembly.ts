import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';

/**
 * What the local cloud runs, made ready: the function bundles built (nx, cached) and the CDK app
 * synthesized for the `local` stage. Used by `npm start` and by the soak, each step announced
 * through `step` with its duration.
 */
export const repositoryRoot = resolve(import.meta.dirname, '../../..');

export async function prepareLocalAssembly(options: {
  step: (text: string) => void;
  done: (text: string) => void;
  /** Where the child processes' output goes: the terminal for `npm start`, stderr for the soak. */
  stdio?: 'inherit' | 'stderr';
  /** Where the assembly is written. Default `tools/e2e/.cdk.out`; the bench uses a temporary folder. */
  outputRoot?: string;
}): Promise<string> {
  const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;
  let phase = performance.now();
  options.step('Building the function bundles and the flow page (nx, cached)…');
  await run(
    process.execPath,
    [
      nxCli(),
      'run-many',
      '-t',
      'build',
      '--projects=tag:lambda,@shop/local-cloud,@shop/e2e',
      '--outputStyle=static',
    ],
    options.stdio,
  );
  options.done(`  done in ${elapsed(phase)}`);

  phase = performance.now();
  const assemblyRoot = options.outputRoot ?? join(repositoryRoot, 'tools/e2e/.cdk.out');
  options.step('Synthesizing the CDK app for the local stage…');
  await run(
    process.execPath,
    [
      join(repositoryRoot, 'infra/scripts/cdk.ts'),
      'synth',
      '--quiet',
      '-c',
      'stage=local',
      '--output',
      assemblyRoot,
    ],
    options.stdio,
  );
  const assemblyDir = join(assemblyRoot, 'assembly-local');
  if (!existsSync(assemblyDir))
    throw new Error(`The synthesized assembly has no local stage at ${assemblyDir}`);
  options.done(`  done in ${elapsed(phase)}`);
  return assemblyDir;
}

/** The nx CLI's script, from its package manifest (the same on every platform, unlike .bin shims). */
function nxCli(): string {
  const manifest = createRequire(import.meta.url).resolve('nx/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin.nx ?? 'bin/nx.js');
}

function run(command: string, args: string[], stdio: 'inherit' | 'stderr' = 'inherit'): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, {
      cwd: repositoryRoot,
      stdio: stdio === 'inherit' ? 'inherit' : ['ignore', process.stderr, process.stderr],
      env: process.env,
    });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${args.slice(0, 3).join(' ')} exited with ${code}`)),
    );
  });
}
