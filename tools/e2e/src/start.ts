#!/usr/bin/env node
// `npm start`: builds the handlers (nx, cached), synthesizes the CDK app for the `local` stage, and
// runs it on in-process emulators. Usage:
//   npm start -- [--port 3000] [--json] [--persist DIR] [--fast-retries] [--verbose] [--faults LIST]
import { resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startLocalCloud } from '@shop/local-cloud/cloud';
import { FaultPlan, formatFaults, parseFaults } from '@shop/local-cloud/faults/fault-plan';
import { createLogPrinter } from '@shop/local-cloud/log-printer';
import { prepareLocalAssembly } from './prepare-assembly.ts';

const { values } = parseArgs({
  options: {
    port: { type: 'string', default: process.env.PORT ?? '3000' },
    json: { type: 'boolean', default: false },
    persist: { type: 'string' },
    'fast-retries': { type: 'boolean', default: false },
    verbose: { type: 'boolean', default: false },
    faults: { type: 'string', default: process.env.LOCAL_FAULTS ?? '' },
    seed: { type: 'string', default: '1' },
    'max-visibility-timeout': { type: 'string' },
    assembly: { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  console.log(`npm start -- [options]
  --port N          HTTP API port (default 3000, or $PORT; 0 picks a free one)
  --json            print the functions' log entries as raw JSON, one per line
  --persist DIR     keep tables, queued messages, the stream and workflow executions in DIR across
                    restarts (a killed process too); unfinished executions resume where they were
  --fast-retries    divide the payment workflow's retry intervals by 100 (never the retry counts)
  --verbose         also print DEBUG entries (cold starts, metrics, what is not emulated)
  --faults LIST     inject faults (or $LOCAL_FAULTS): sqs-duplicate, handler-crash, dynamodb-throttle,
                    provider-latency, each optionally =FRACTION, or all (docs/reliability.md)
  --seed N          seed of the fault decisions (default 1), so a run can be repeated
  --max-visibility-timeout S   cap the queues' visibility timeouts at S seconds (receive counts kept)
  --assembly DIR    run this synthesized assembly, skipping the build and synth steps`);
  process.exit(0);
}

const port = Number(values.port);
if (!Number.isInteger(port) || port < 0 || port > 65_535) {
  console.error(`--port must be a port number, got "${values.port}"`);
  process.exit(2);
}
let faults: FaultPlan | undefined;
try {
  const { restart, ...rates } = parseFaults(values.faults);
  if (restart)
    console.warn('The restart fault is driven by npm run soak (it kills this process): ignored here');
  faults = Object.keys(rates).length > 0 ? new FaultPlan(rates, Number(values.seed)) : undefined;
} catch (error) {
  console.error((error as Error).message);
  process.exit(2);
}
const maxVisibility = values['max-visibility-timeout'];
if (maxVisibility !== undefined && !(Number(maxVisibility) > 0)) {
  console.error(`--max-visibility-timeout must be a number of seconds, got "${maxVisibility}"`);
  process.exit(2);
}
const color = process.stdout.isTTY && !process.env.NO_COLOR;
const step = (text: string) => console.log(`${color ? '\x1b[1m' : ''}▸ ${text}${color ? '\x1b[0m' : ''}`);

const started = performance.now();
const elapsed = (since: number) => `${((performance.now() - since) / 1000).toFixed(1)} s`;

const assemblyDir =
  values.assembly !== undefined
    ? resolve(values.assembly)
    : await prepareLocalAssembly({ step, done: (text) => console.log(text) });

const phase = performance.now();
step('Starting the emulators and the functions…');
const cloud = await startLocalCloud({
  assemblyDir,
  port,
  log: createLogPrinter({ json: values.json, color, minimumLevel: values.verbose ? 'DEBUG' : 'INFO' }),
  ...(values.persist ? { persistDir: resolve(values.persist) } : {}),
  ...(values['fast-retries'] ? { retryIntervalScale: 0.01 } : {}),
  ...(maxVisibility !== undefined ? { maxVisibilityTimeoutSeconds: Number(maxVisibility) } : {}),
  ...(faults ? { faults } : {}),
});
console.log(`  done in ${elapsed(phase)}`);

const example = JSON.stringify({
  currency: 'EUR',
  items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
  payment: { method: 'card', token: 'tok_visa' },
});
const userPool = cloud.identity.apiUserPool;
const webhookSecret = cloud.secrets.webhookSecret();
const urlOption = cloud.url === 'http://127.0.0.1:3000' ? '' : ` --url ${cloud.url}`;
const bearer = `-H "authorization: Bearer $TOKEN"`;
console.log(`
Serverless Commerce is running locally (ready in ${elapsed(started)}).

  Flow page      ${cloud.url}/   (open it in a browser: watch orders move through the system)
  HTTP API       ${cloud.url}
  Functions      ${cloud.model.functions.length}, queues ${cloud.model.queues.length}, tables ${cloud.model.tables.length}, workflows ${cloud.model.stateMachines.length}
  Emulators      DynamoDB ${cloud.endpoints.dynamodb}  SQS ${cloud.endpoints.sqs}  Kinesis ${cloud.endpoints.kinesis}
                 EventBridge ${cloud.endpoints.eventbridge}  Step Functions ${cloud.endpoints.sfn}
                 Cognito ${cloud.endpoints.cognito}  Secrets Manager ${cloud.endpoints.secretsmanager}${
                   userPool
                     ? `
  User pool      ${userPool.userPoolId}, app client ${userPool.clientId} (the API's JWT authorizer trusts them)`
                     : ''
                 }${
                   webhookSecret
                     ? `
  Webhook secret ${webhookSecret}   (the bank signs POST /webhooks/bank-transfers with it: Standard Webhooks)`
                     : ''
                 }${
                   faults
                     ? `
  Faults         ${formatFaults(faults.rates)} (seed ${faults.seed})`
                     : ''
                 }

Sign in a test customer (created on first use) and keep its access token:
  TOKEN=$(npm run --silent token -- alice${urlOption})

Place an order:
  curl -s -X POST ${cloud.url}/orders -H 'content-type: application/json' ${bearer} -d '${example}'

Then follow it (use the orderId from the answer):
  curl -s ${bearer} ${cloud.url}/orders/<orderId>

Test tokens: tok_visa, tok_declined, tok_flaky, tok_outage, tok_capture_timeout; or "payment":{"method":"bank_transfer"},
which the bank confirms with a signed webhook: the flow page's Confirm transfer button, or
  curl -s -X POST ${cloud.url}/_local/bank/transfers -d '{"orderId":"<orderId>"}'
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
