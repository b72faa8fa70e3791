#!/usr/bin/env node
// `npm start`: builds the handlers (nx, cached), synthesizes the CDK app for the `local` stage, and
// runs it on in-process emulators. Usage:
//   npm start -- [--port 3000] [--json] [--persist DIR] [--fast-retries] [--verbose]
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from './cloud.ts';
import { createLogPrinter } from './log-printer.ts';

const root = resolve(import.meta.dirname, '../../..');
const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    json: { type: 'boolean', default: false },
    persist: { type: 'string' },
    'fast-retries': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm start -- [options]
  --port N          HTTP API port (default 3000, or $PORT; 0 picks a free one)
  --json            print the functions' log entries as raw JSON, one per line
  --persist DIR     keep DynamoDB data in DIR across restarts
  --fast-retries    divide the payment workflow's retry intervals by 100 (never the retry counts)
  --verbose         also print DEBUG entries (cold starts, metrics, what is not emulated)`);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got "${values.port}"`);
  process.exit(2);
}
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const step = (text: string) => console.log(`${color ? '\x1b[1m' : ''}▸ ${text}${color ? '\x1b[0m' : ''}`);

const started = performance.now();
const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

let phase = performance.now();
step('Building the function bundles and the flow page (nx, cached)…');
await run(process.execPath, [
  nxCli(),
  'run-many',
  '-t',
  'build',
  '--projects=tag:lambda,@shop/local',
  '--outputStyle=static',
]);
console.log(`  done in ${elapsed(phase)}`);

phase = performance.now();
const assemblyRoot = join(root, 'apps/local/.cdk.out');
step('Synthesizing the CDK app for the local stage…');
await run(process.execPath, [
  join(root, 'infra/scripts/cdk.ts'),
  'synth',
  '--quiet',
  '-c',
  'stage=local',
  '--output',
  assemblyRoot,
]);
const assemblyDir = join(assemblyRoot, 'assembly-local');
if (!existsSync(assemblyDir))
  throw new Error(`The synthesized assembly has no local stage at ${assemblyDir}`);
console.log(`  done in ${elapsed(phase)}`);

phase = performance.now();
step('Starting the emulators and the functions…');
const cloud = await startLocalCloud({
  assemblyDir,
  port,
  log: createLogPrinter({ json: values.json, color, minimumLevel: values.verbose ? 'DEBUG' : 'INFO' }),
  ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
  ...(values['fast-retries'] ? { retryIntervalScale: 0.01 } : {}),
});
console.log(`  done in ${elapsed(phase)}`);

const example = JSON.stringify({
  customerId: 'cus_42',
  currency: 'EUR',
  items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
  payment: { method: 'card', token: 'tok_visa' },
});
console.log(`
Serverless Commerce is running locally (ready in ${elapsed(started)}).

  Flow page      ${cloud.url}/   (open it in a browser: watch orders move through the system)
  HTTP API       ${cloud.url}
  Functions      ${cloud.model.functions.length}, queues ${cloud.model.queues.length}, tables ${cloud.model.tables.length}, workflows ${cloud.model.stateMachines.length}
  Emulators      DynamoDB ${cloud.endpoints.dynamodb}  SQS ${cloud.endpoints.sqs}  Kinesis ${cloud.endpoints.kinesis}
                 EventBridge ${cloud.endpoints.eventbridge}  Step Functions ${cloud.endpoints.sfn}

Place an order:
  curl -s -X POST ${cloud.url}/orders -H 'content-type: application/json' -d '${example}'

Then follow it (use the orderId from the answer):
  curl -s ${cloud.url}/orders/<orderId>

Test tokens: tok_visa, tok_declined, tok_flaky, tok_outage; or "payment":{"method":"bank_transfer"},
confirmed with: curl -s -X POST ${cloud.url}/payments/<orderId>/confirm
Press Ctrl+C to stop.
`);

let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping the local cloud…`);
    cloud.stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Could not stop cleanly:', error);
        process.exit(1);
      },
    );
  });
}

/** The nx CLI's script, from its package manifest (the same on every platform, unlike .bin shims). */
function nxCli(): string {
  const manifest = createRequire(import.meta.url).resolve('nx/package.json');
  const { bin } = JSON.parse(readFileSync(manifest, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifest), bin.nx ?? 'bin/nx.js');
}

function run(command: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { cwd: root, stdio: 'inherit', env: process.env });
    child.on('error', reject);
    child.on('exit', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${args.slice(0, 3).join(' ')} exited with ${code}`)),
    );
  });
}
