#!/usr/bin/env node
// `npm run soak`: drives the local cloud with many orders, with faults if asked, and reconciles.
//   npm run soak -- --orders N --concurrency C [--faults a,b,...] [--seed S] [--url URL ...]
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { formatFaults, parseFaults } from '@shop/local-cloud';
import { prepareLocalAssembly } from '../prepare-assembly.ts';
import { createProgress } from './progress.ts';
import { formatReport } from './report.ts';
import { DEFAULT_SOAK_CUSTOMERS, runSoak } from './run-soak.ts';
import {
  childProcessTarget,
  inProcessTarget,
  SOAK_FAULTS,
  SOAK_MAX_VISIBILITY_TIMEOUT_SECONDS,
  type SoakTarget,
  urlTarget,
} from './targets.ts';

const usage = `npm run soak -- [options]
  --orders N            orders to place (default 200)
  --concurrency C       requests in flight at once (default 20)
  --customers N         test customers signed in for the run, each placing every N-th order
                        (default ${DEFAULT_SOAK_CUSTOMERS})
  --faults LIST         faults to inject: ${SOAK_FAULTS.map((fault) => fault.name).join(', ')}, each optionally =FRACTION
                        (restart=N: kill and restart N times), or all (docs/reliability.md)
  --seed S              seed of the order mix and the fault decisions (default 1)
  --settle-timeout S    seconds every accepted order has to settle after the last is placed (default 120)
  --url URL             drive a local cloud that is already running (npm start), with its emulator
                        endpoints --dynamodb URL --sqs URL --kinesis URL and its bank-webhook secret
                        --webhook-secret VALUE (all printed in its banner)`;

const { values } = parseArgs({
  options: {
    orders: { type: 'string', default: '200' },
    concurrency: { type: 'string', default: '20' },
    customers: { type: 'string', default: String(DEFAULT_SOAK_CUSTOMERS) },
    faults: { type: 'string', default: '' },
    seed: { type: 'string', default: '1' },
    'settle-timeout': { type: 'string', default: '120' },
    url: { type: 'string' },
    dynamodb: { type: 'string' },
    sqs: { type: 'string' },
    kinesis: { type: 'string' },
    'webhook-secret': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (values.help) {
  process.stdout.write(`${usage}\n`);
  process.exit(0);
}
const fail = (message: string): never => {
  console.error(`${message}\n\n${usage}`);
  process.exit(2);
};
const whole = (name: string, text: string, minimum: number) => {
  const value = Number(text);
  return Number.isInteger(value) && value >= minimum
    ? value
    : fail(`--${name} must be a whole number ≥ ${minimum}`);
};
const orders = whole('orders', values.orders, 1);
const concurrency = whole('concurrency', values.concurrency, 1);
const customers = whole('customers', values.customers, 1);
const seed = whole('seed', values.seed, 0);
const settleTimeoutMs = whole('settle-timeout', values['settle-timeout'], 1) * 1000;
let faults: ReturnType<typeof parseFaults> = {};
try {
  faults = parseFaults(values.faults, SOAK_FAULTS);
} catch (error) {
  fail((error as Error).message);
}
const { restart: restarts = 0, ...cloudFaults } = faults;
if (values.url && Object.keys(faults).length > 0) {
  fail('--faults applies to a cloud the soak starts; start the one at --url with npm start -- --faults ...');
}

const runId = randomBytes(4).toString('hex');
const logPath = join(tmpdir(), `soak-${runId}.log`);
const progress = createProgress();
const note = (text: string) => process.stderr.write(`${text}\n`);
let target: SoakTarget;
let persistDir: string | undefined;
if (values.url) {
  const { dynamodb, sqs, kinesis, 'webhook-secret': webhookSecret } = values;
  if (!dynamodb || !sqs || !kinesis || !webhookSecret)
    fail('--url needs --dynamodb, --sqs, --kinesis and --webhook-secret (from the banner of npm start)');
  target = await urlTarget(
    values.url,
    { dynamodb: dynamodb as string, sqs: sqs as string, kinesis: kinesis as string },
    webhookSecret as string,
  ).catch((error: Error) => fail(error.message));
} else {
  const assemblyDir = await prepareLocalAssembly({
    step: (text) => note(`▸ ${text}`),
    done: note,
    stdio: 'stderr',
  });
  if (restarts > 0) {
    // Killing the cloud needs it in a process of its own, on a --persist folder.
    persistDir = mkdtempSync(join(tmpdir(), 'soak-persist-'));
    note(`▸ Starting the local cloud as a child process (--persist ${persistDir})…`);
    target = await childProcessTarget({ assemblyDir, faults: cloudFaults, seed, persistDir, logPath });
  } else {
    note('▸ Starting the local cloud…');
    target = await inProcessTarget({ assemblyDir, faults: cloudFaults, seed, logPath });
  }
  note(`  its log: ${logPath}`);
}

let exitCode = 1;
try {
  const result = await runSoak({
    target,
    orders,
    concurrency,
    customers,
    seed,
    runId,
    restarts,
    settleTimeoutMs,
    progress,
  });
  const header =
    `\nSoak ${runId}: ${orders} orders, concurrency ${concurrency}, ${result.customers} customers, seed ${seed}, ` +
    `faults ${Object.keys(faults).length > 0 ? formatFaults(faults) : 'none'}` +
    (values.url
      ? `, against ${values.url}`
      : `, local speed-ups: retry intervals / 100, visibility timeouts ≤ ${SOAK_MAX_VISIBILITY_TIMEOUT_SECONDS} s`);
  process.stdout.write(`${formatReport(result, header)}\n`);
  exitCode = result.violations.length === 0 ? 0 : 1;
} finally {
  await target.stop();
  if (persistDir) rmSync(persistDir, { recursive: true, force: true });
}
process.exit(exitCode);
