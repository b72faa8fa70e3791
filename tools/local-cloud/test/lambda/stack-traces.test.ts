import { cpSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import { createLambdaRuntime, type LambdaRuntime } from '../../src/lambda/lambda-runtime.ts';
import { localSourceRoot } from '../../src/lambda/source-root.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/**
 * A function's stack traces, with source maps on as infra turns them on (NODE_OPTIONS), name the
 * repository's real source files when the local cloud runs the copy of the bundle a CDK assembly
 * holds. The fixture's repository is built in a temporary folder: a service's handler and domain
 * (test/fixtures/stack-trace-app), its bundle with the map tools/bundling writes, and the assembly's
 * copy of it.
 */
const fixtureApp = join(import.meta.dirname, '../fixtures/stack-trace-app');
const folders = temporaryFolders();
const runtimes: LambdaRuntime[] = [];
let repository: string;
let builtBundle: string;
let assetBundle: string;
let domainFile: string;

beforeAll(async () => {
  repository = folders.make('stack-trace-repository-');
  const app = join(repository, 'apps/tickets');
  cpSync(fixtureApp, app, { recursive: true });
  domainFile = join(app, 'src/domain/close-ticket.ts');
  builtBundle = join(app, 'dist/close-ticket/index.mjs');
  await build({
    entryPoints: [join(app, 'src/handlers/close-ticket.ts')],
    outfile: builtBundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    sourcemap: true,
    sourcesContent: false,
    logLevel: 'silent',
  });
  // As tools/bundling writes it: sources from the repository's root, under a root that leads there.
  const mapFile = `${builtBundle}.map`;
  const map = JSON.parse(readFileSync(mapFile, 'utf8')) as { sources: string[]; sourceRoot?: string };
  const bundleDir = dirname(builtBundle);
  map.sources = map.sources.map((source) => relative(repository, resolve(bundleDir, source)));
  map.sourceRoot = `${relative(bundleDir, repository)}/`;
  writeFileSync(mapFile, JSON.stringify(map));
  // The copy `cdk synth` stages, from which the map's own root leads out of the repository.
  const asset = join(repository, 'infra/cdk.out/asset.0f1e2d3c');
  cpSync(bundleDir, asset, { recursive: true });
  assetBundle = join(asset, 'index.mjs');
});

afterAll(async () => {
  await Promise.all(runtimes.map((runtime) => runtime.stop()));
  folders.removeAll();
});

/** Runs the bundle at `handlerFile` with source maps on, closes a closed ticket, and reads the log. */
async function failingInvocation(handlerFile: string): Promise<{ trace: string[]; logged: LogEntry[] }> {
  const logged: LogEntry[] = [];
  const runtime = createLambdaRuntime({
    functions: [
      {
        name: 'CloseTicket',
        handlerFile,
        handlerExport: 'handler',
        environment: { NODE_OPTIONS: '--enable-source-maps' },
        timeoutSeconds: 5,
        memoryMb: 256,
      },
    ],
    baseEnvironment: { AWS_REGION: 'eu-west-1' },
    log: (entry) => logged.push(entry),
  });
  runtimes.push(runtime);
  const result = await runtime.invoke('CloseTicket', { id: 'T-1', closed: true });
  if (result.ok) throw new Error('closing a closed ticket should fail');
  return { trace: result.error.trace ?? [], logged };
}

/** The file and line of the first stack frame in that file's name. */
function frameIn(trace: string[], fileName: string): { file: string; line: number } | undefined {
  for (const frame of trace) {
    const match = /\(?(\/[^():]+):(\d+):\d+\)?$/.exec(frame.trim());
    if (match?.[1]?.endsWith(fileName)) return { file: match[1], line: Number(match[2]) };
  }
  return undefined;
}

describe('stack traces of a function run from the assembly', () => {
  it("name the repository's real source file and line, in the error and in the function's log", async () => {
    const { trace, logged } = await failingInvocation(assetBundle);

    const frame = frameIn(trace, 'close-ticket.ts');
    expect(trace[0]).toBe('TicketAlreadyClosedError: Ticket T-1 is already closed');
    expect(frame).toEqual({ file: domainFile, line: 8 });
    expect(existsSync(frame?.file ?? '')).toBe(true);
    const invokeError = logged.find((entry) => entry.message.startsWith('Invoke Error'));
    expect(JSON.stringify(invokeError)).toContain(`${domainFile}:8:`);
  });

  it('name the same file when the bundle runs in the folder it was built in', async () => {
    const { trace } = await failingInvocation(builtBundle);

    expect(frameIn(trace, 'close-ticket.ts')).toEqual({ file: domainFile, line: 8 });
  });
});

describe('localSourceRoot', () => {
  it("finds the repository above the assembly's copy, and nothing to correct where the bundle was built", () => {
    expect(localSourceRoot(assetBundle)).toBe(repository);
    expect(localSourceRoot(builtBundle)).toBeUndefined();
  });

  it('finds nothing for a copy outside the repository, which keeps its own root', () => {
    const elsewhere = folders.make('stack-trace-elsewhere-');
    cpSync(dirname(assetBundle), elsewhere, { recursive: true });

    expect(localSourceRoot(join(elsewhere, 'index.mjs'))).toBeUndefined();
  });
});
