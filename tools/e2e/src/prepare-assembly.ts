import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { synthInputsHash, toolVersions } from './synth-inputs.ts';

/**
 * What the local cloud runs, made ready: the function bundles built (nx, cached) and the CDK app
 * synthesized for the `local` stage, unless the assembly already there was synthesized from the
 * same inputs (src/synth-inputs.ts). Used by `npm start` and by the soak, each step announced
 * through `step` with its duration.
 */
export const repositoryRoot = resolve(import.meta.dirname, '../../..');

/** Written beside the assembly once synth succeeds: the hash of the inputs it was made from. */
export const SYNTH_INPUTS_FILE = 'synth-inputs.sha256';
const SYNTH_ARGUMENTS = ['-c', 'stage=local'];

export interface PrepareOptions {
  step: (text: string) => void;
  done: (text: string) => void;
  /** Where the child processes' output goes: the terminal for `npm start`, stderr for the soak. */
  stdio?: 'inherit' | 'stderr';
  /** Where the assembly is written. Default `tools/e2e/.cdk.out`; the bench uses a temporary folder. */
  outputRoot?: string;
}

export async function prepareLocalAssembly(options: PrepareOptions): Promise<string> {
  const phase = performance.now();
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
  return synthesizeLocalStage(options);
}

/**
 * The `local` stage's assembly: synthesized into `outputRoot`, or the one already there when its
 * inputs hash the same as those it was made from. Returns its folder (`<outputRoot>/assembly-local`).
 */
async function synthesizeLocalStage(options: PrepareOptions): Promise<string> {
  const phase = performance.now();
  const assemblyRoot = options.outputRoot ?? join(repositoryRoot, 'tools/e2e/.cdk.out');
  const assemblyDir = join(assemblyRoot, 'assembly-local');
  const stampFile = join(assemblyRoot, SYNTH_INPUTS_FILE);
  const hash = synthInputsHash({
    repositoryRoot,
    synthArguments: SYNTH_ARGUMENTS,
    versions: toolVersions(repositoryRoot),
  });
  const stamped = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
  if (stamped === hash && existsSync(assemblyDir)) {
    options.step(
      `Synthesis: unchanged inputs, reusing ${relative(repositoryRoot, assemblyRoot) || assemblyRoot} (hash ${hash.slice(0, 12)})`,
    );
    return assemblyDir;
  }
  // A synth that fails or is interrupted must not leave a stamp that vouches for what it left.
  rmSync(stampFile, { force: true });
  options.step('Synthesizing the CDK app for the local stage…');
  await run(
    process.execPath,
    [
      join(repositoryRoot, 'infra/scripts/cdk.ts'),
      'synth',
      '--quiet',
      ...SYNTH_ARGUMENTS,
      '--output',
      assemblyRoot,
    ],
    options.stdio,
  );
  if (!existsSync(assemblyDir))
    throw new Error(`The synthesized assembly has no local stage at ${assemblyDir}`);
  writeFileSync(stampFile, `${hash}\n`);
  options.done(`  done in ${elapsed(phase)} (inputs hash ${hash.slice(0, 12)})`);
  return assemblyDir;
}

const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

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
