// One fresh Node process per cold start (started by runner.ts with an IPC channel). The clock runs
// inside this process, around import() and the first invocation only: the Node start-up before it
// is the same for every bundle and is not what a bundle can change.
//   node invoke-child.ts <bundle file> <export name> <first event as JSON>
import { pathToFileURL } from 'node:url';
import type { ChildMessage, ParentMessage } from './child-protocol.ts';

const [bundle, exportName = 'handler', firstEvent = 'null'] = process.argv.slice(2);
if (!bundle || !process.send)
  throw new Error('Run by runner.ts: node invoke-child.ts <bundle> <export> <event>');
const send = (message: ChildMessage) => process.send?.(message);

const context = {
  callbackWaitsForEmptyEventLoop: true,
  functionName: process.env.AWS_LAMBDA_FUNCTION_NAME ?? 'bench',
  functionVersion: '$LATEST',
  invokedFunctionArn: `arn:aws:lambda:us-east-1:000000000000:function:${process.env.AWS_LAMBDA_FUNCTION_NAME}`,
  memoryLimitInMB: '1024',
  awsRequestId: '',
  logGroupName: '/aws/lambda/bench',
  logStreamName: 'bench',
  getRemainingTimeInMillis: () => 30_000,
  done: () => undefined,
  fail: () => undefined,
  succeed: () => undefined,
};
let requests = 0;
const milliseconds = (from: bigint, to: bigint) => Number(to - from) / 1e6;

type Handler = (event: unknown, context: unknown) => Promise<unknown>;

async function invoke(handler: Handler, event: unknown): Promise<{ ok: boolean; result: unknown }> {
  requests += 1;
  context.awsRequestId = `bench-${requests}`;
  try {
    return { ok: true, result: await handler(event, context) };
  } catch (error) {
    return { ok: false, result: { name: (error as Error).name, message: (error as Error).message } };
  }
}

const started = process.hrtime.bigint();
const module = (await import(pathToFileURL(bundle).href)) as Record<string, unknown>;
const handler = (module[exportName] ??
  (module.default as Record<string, unknown> | undefined)?.[exportName]) as Handler | undefined;
if (typeof handler !== 'function') throw new Error(`${bundle} exports no function ${exportName}`);
const imported = process.hrtime.bigint();
const first = await invoke(handler, JSON.parse(firstEvent));
const invoked = process.hrtime.bigint();
send({
  type: 'cold',
  importMs: milliseconds(started, imported),
  totalMs: milliseconds(started, invoked),
  ...first,
});

process.on('message', async (message: ParentMessage) => {
  if (message.type === 'stop') {
    process.disconnect();
    return;
  }
  const before = process.hrtime.bigint();
  const outcome = await invoke(handler, message.event);
  send({ type: 'warm', ms: milliseconds(before, process.hrtime.bigint()), ...outcome });
});
