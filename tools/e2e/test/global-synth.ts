import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    localAssemblyDir: string;
  }
}

/**
 * Synthesizes the CDK app for the `local` stage once per test run, exactly as `npm start` does, so
 * the end-to-end tests run the same templates a deployment would.
 */
export default function setup(project: TestProject): () => void {
  const output = mkdtempSync(join(tmpdir(), 'serverless-commerce-local-'));
  const cdk = fileURLToPath(new URL('../../../infra/scripts/cdk.ts', import.meta.url));
  const result = spawnSync(
    process.execPath,
    [cdk, 'synth', '--quiet', '-c', 'stage=local', '--output', output],
    {
      encoding: 'utf8',
    },
  );
  if (result.status !== 0) {
    rmSync(output, { recursive: true, force: true });
    throw new Error(`cdk synth for the local stage failed:\n${result.stdout}\n${result.stderr}`);
  }
  project.provide('localAssemblyDir', join(output, 'assembly-local'));
  return () => rmSync(output, { recursive: true, force: true });
}
