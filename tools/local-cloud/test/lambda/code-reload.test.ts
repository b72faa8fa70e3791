import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Stack } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import type { InvokeResult } from '../../src/contracts.ts';
import type { CodeReloadEvent } from '../../src/lambda/lambda-runtime.ts';
import { localCloudApp } from '../fixtures/local-cloud-app.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';
import { eventually } from '../stepfunctions/fixtures.ts';

/**
 * A function given new code while the local cloud runs (`cloud.lambda.reloadCode`): it answers with
 * the new code, an invocation already running finishes on the old, and the table it wrote keeps
 * its items. Each function's code is a folder the test writes, run where it is (unstaged).
 */
const folders = temporaryFolders();
const assemblyDir = folders.make('code-reload-stack-');
const sdkUrl = pathToFileURL(createRequire(import.meta.url).resolve('@aws-sdk/client-dynamodb')).href;

/**
 * A handler that says which code it is, writes the note `label` (or, with `readNote`, answers the
 * note already in the table), and with `hold` waits for `release` on that broadcast channel.
 */
const handlerSource = (label: string, options: { readNote?: boolean } = {}) => `
import sdk from '${sdkUrl}';
const { DynamoDBClient, GetItemCommand, PutItemCommand } = sdk;
const client = new DynamoDBClient({});
const key = { id: { S: 'note' } };
const held = (name) => new Promise((resolve) => {
  const channel = new BroadcastChannel(name);
  channel.onmessage = ({ data }) => { if (data === 'release') { channel.close(); resolve(); } };
  channel.postMessage('holding');
});
export const handler = async (event) => {
  if (event.hold) await held(event.hold);
  ${
    options.readNote
      ? `const { Item } = await client.send(new GetItemCommand({ TableName: process.env.TABLE_NAME, Key: key }));
  return { code: '${label}', note: Item?.by?.S ?? null };`
      : `await client.send(new PutItemCommand({ TableName: process.env.TABLE_NAME, Item: { ...key, by: { S: '${label}' } } }));
  return { code: '${label}' };`
  }
};`;

function writeCode(folder: string, source: string): string {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, 'index.mjs'), source);
  return folder;
}

const codeFolders = { notes: '', held: '' };
let cloud: LocalCloud;
const reloads: CodeReloadEvent[] = [];

beforeAll(async () => {
  codeFolders.notes = writeCode(folders.make('code-reload-notes-'), handlerSource('first'));
  codeFolders.held = writeCode(folders.make('code-reload-held-'), handlerSource('first'));
  const app = localCloudApp(assemblyDir);
  const stack = new Stack(app, 'Reload', { env: { region: 'eu-west-1' }, stackName: 'reload-test' });
  const table = new dynamodb.Table(stack, 'NotesTable', {
    tableName: 'reload-test-notes',
    partitionKey: { name: 'id', type: dynamodb.AttributeType.STRING },
  });
  for (const [id, functionName, folder] of [
    ['NotesFunction', 'reload-notes', codeFolders.notes],
    ['HeldFunction', 'reload-held', codeFolders.held],
  ] as const) {
    const fn = new lambda.Function(stack, id, {
      functionName,
      runtime: lambda.Runtime.NODEJS_24_X,
      handler: 'index.handler',
      code: lambda.Code.fromAsset(folder),
      environment: { TABLE_NAME: table.tableName },
    });
    table.grantReadWriteData(fn);
  }
  app.synth();
  cloud = await startLocalCloud({ assemblyDir, port: 0, log: () => undefined });
  cloud.lambda.onCodeReload((event) => reloads.push(event));
});

afterAll(async () => {
  await cloud?.stop();
  folders.removeAll();
});

function payloadOf(result: InvokeResult): Record<string, unknown> {
  if (!result.ok) throw new Error(`${result.error.errorType}: ${result.error.errorMessage}`);
  return result.payload as Record<string, unknown>;
}

describe('a function given new code', () => {
  it('answers with the code its bundle now holds, and finds what the old code wrote in its table', async () => {
    expect(payloadOf(await cloud.lambda.invoke('reload-notes', {}))).toEqual({ code: 'first' });

    writeCode(codeFolders.notes, handlerSource('second', { readNote: true }));
    cloud.lambda.reloadCode('reload-notes');

    expect(payloadOf(await cloud.lambda.invoke('reload-notes', {}))).toEqual({
      code: 'second',
      note: 'first',
    });
    expect(reloads.at(-1)).toMatchObject({
      functionName: 'reload-notes',
      handlerFile: join(codeFolders.notes, 'index.mjs'),
    });
  });

  it('lets an invocation already running finish on the old code, then ends its environment', async () => {
    const name = `code-reload-${randomUUID()}`;
    const channel = new BroadcastChannel(name);
    try {
      const holding = new Promise<void>((resolve) => {
        channel.onmessage = ({ data }) => data === 'holding' && resolve();
      });
      const inFlight = cloud.lambda.invoke('reload-held', { hold: name });
      await holding;

      const newFolder = writeCode(
        folders.make('code-reload-new-'),
        handlerSource('second', { readNote: true }),
      );
      cloud.lambda.reloadCode('reload-held', { codeDir: newFolder });
      const answered = payloadOf(await cloud.lambda.invoke('reload-held', {}));
      expect(answered.code).toBe('second');

      channel.postMessage('release');
      expect(payloadOf(await inFlight)).toEqual({ code: 'first' });
      const stats = () => cloud.lambda.stats().find((fn) => fn.functionName === 'reload-held');
      await eventually(() => (stats()?.environments === 1 ? true : undefined));
      expect(payloadOf(await cloud.lambda.invoke('reload-held', {})).code).toBe('second');
    } finally {
      channel.close();
    }
  });

  it('refuses a folder without the handler file, and the code it runs stays', async () => {
    const before = payloadOf(await cloud.lambda.invoke('reload-notes', {}));
    const empty = folders.make('code-reload-empty-');

    expect(() => cloud.lambda.reloadCode('reload-notes', { codeDir: empty })).toThrow(/No index\.mjs in/);
    expect(() => cloud.lambda.reloadCode('reload-missing')).toThrow(/Function not found: reload-missing/);
    expect(payloadOf(await cloud.lambda.invoke('reload-notes', {}))).toEqual(before);
  });
});
