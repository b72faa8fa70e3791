#!/usr/bin/env node
// Runs the pinned aws-cdk CLI with this repository's settings, passing every argument through:
//   node scripts/cdk.ts synth --quiet -c stage=dev-alice
// No version check and no telemetry, ever; for the commands that need no AWS account (synth, ls),
// no EC2 metadata probe either, so they run offline and fast with no credentials (in CI too).
// The CLI and the app run on the Node.js running this script (Node 24 from node_modules, via npm).
import { spawnSync } from 'node:child_process';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const QUIET = { CDK_DISABLE_VERSION_CHECK: '1', CDK_DISABLE_CLI_TELEMETRY: 'true' };
// A deploy from an EC2 instance or CodeBuild may use the instance's role: only these skip the probe.
const OFFLINE_COMMANDS = new Set(['synth', 'synthesize', 'ls', 'list']);

const infraDir = fileURLToPath(new URL('..', import.meta.url));

/** Runs `cdk <args>` from infra/ and returns its exit code. */
export function runCdk(args: readonly string[], env: NodeJS.ProcessEnv = {}): number {
  const cli = fileURLToPath(import.meta.resolve('aws-cdk/bin/cdk'));
  const result = spawnSync(process.execPath, [cli, ...args], {
    cwd: infraDir,
    stdio: 'inherit',
    env: {
      ...process.env,
      ...QUIET,
      ...(OFFLINE_COMMANDS.has(args[0] ?? '') ? { AWS_EC2_METADATA_DISABLED: 'true' } : {}),
      // cdk.json's `node bin/app.ts` must find this same Node first.
      PATH: `${dirname(process.execPath)}${process.platform === 'win32' ? ';' : ':'}${process.env.PATH ?? ''}`,
      ...env,
    },
  });
  if (result.error) throw result.error;
  return result.status ?? 1;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  process.exit(runCdk(process.argv.slice(2)));
}
