import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { handlerBuildOptions } from '@shop/bundling/handler-build';
import { type LocalCloud, type PageNotice, startLocalCloud, type WatchSession } from '@shop/local-cloud';
import { App, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { build } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { watchSources } from '../src/watch/watch-sources.ts';

/**
 * `npm start`'s hot reload, whole, on a repository of one service made for the test (the watcher
 * watches the sources of the repository it is given, and this one's must not change under the other
 * tests): its handler is built as the services' build does, synthesized into a stack the local cloud
 * runs, then edited while the watcher runs. A save that does not build leaves the old code answering
 * and shows esbuild's error at the top of the flow page; the next good save clears it and the new
 * code answers, nothing restarted.
 */
const root = mkdtempSync(join(tmpdir(), 'hot-reload-'));
const appDir = join(root, 'apps/demo');
const handlerFile = join(appDir, 'src/handlers/hello.ts');
const printed: string[] = [];
let cloud: LocalCloud;
let stopWatching: () => Promise<void>;

const handlerSaying = (body: string) =>
  `export const handler = async () => ({ statusCode: 200, body: ${JSON.stringify(body)} });\n`;

async function bundle(): Promise<void> {
  const result = await build({ ...handlerBuildOptions(appDir, ['hello']), absWorkingDir: appDir });
  writeFileSync(join(appDir, 'dist/meta.json'), JSON.stringify(result.metafile));
}

function synthesize(outdir: string): void {
  // Unstaged, as the engine's own fixtures: the function runs its bundle where the build wrote it.
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true },
  });
  const stack = new Stack(app, 'Demo', { env: { region: 'eu-west-1' }, stackName: 'hot-reload-demo' });
  const hello = new lambda.Function(stack, 'Hello', {
    functionName: 'demo-hello',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(join(appDir, 'dist/hello')),
  });
  new apigateway.HttpApi(stack, 'HttpApi').addRoutes({
    path: '/hello',
    methods: [apigateway.HttpMethod.GET],
    integration: new HttpLambdaIntegration('Hello', hello),
  });
  app.synth();
}

const hello = async () => (await fetch(`${cloud.url}/hello`)).text();
const notices = async () =>
  ((await (await fetch(`${cloud.url}/_local/snapshot`)).json()) as { notices: PageNotice[] }).notices;

beforeAll(async () => {
  mkdirSync(join(appDir, 'src/handlers'), { recursive: true });
  // The watcher watches every service's and library's sources: this repository has no library.
  mkdirSync(join(root, 'libs'));
  writeFileSync(handlerFile, handlerSaying('first'));
  await bundle();
  const assemblyDir = join(root, 'cdk.out');
  synthesize(assemblyDir);
  cloud = await startLocalCloud({ assemblyDir, port: 0, log: () => undefined });
  const session: WatchSession = {
    cloud,
    step: (text) => printed.push(text),
    restart: () => Promise.reject(new Error('A handler edit must not restart the cloud')),
  };
  stopWatching = await watchSources(session, {
    repositoryRoot: root,
    prepare: () => Promise.reject(new Error('A handler edit must not synthesize again')),
    assemblyDir,
    outputRoot: join(root, 'reloaded'),
    print: (text) => printed.push(text),
    color: true,
    settleMs: 20,
  });
}, 60_000);

afterAll(async () => {
  await stopWatching?.();
  await cloud?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('hot reload under npm start', () => {
  it('keeps the old code answering while a save does not build, and says why on the flow page', async () => {
    expect(await hello()).toBe('first');

    writeFileSync(handlerFile, 'export const handler = async () => ({ statusCode: 200, body: "second" ;\n');

    await vi.waitFor(async () => expect(await notices()).toHaveLength(1), { timeout: 15_000, interval: 50 });
    const [notice] = await notices();
    expect(notice).toMatchObject({
      id: 'build:demo/hello',
      title: 'demo/hello did not build; its functions keep the code they run:',
    });
    expect(notice?.text).toContain('src/handlers/hello.ts');
    // The terminal gets esbuild's colours; the page gets the text alone.
    expect(notice?.text).not.toContain('\u001b[');
    expect(printed.join('\n')).toContain('✗ demo/hello did not build');
    expect(await hello()).toBe('first');
  });

  it('runs the new code once a save builds again, and clears the notice', async () => {
    writeFileSync(handlerFile, handlerSaying('second'));

    await vi.waitFor(async () => expect(await hello()).toBe('second'), { timeout: 15_000, interval: 50 });
    expect(await notices()).toEqual([]);
    expect(printed.join('\n')).toMatch(/demo\/hello: rebuilt in \d+ ms; demo-hello runs the new code/);
  });
});
