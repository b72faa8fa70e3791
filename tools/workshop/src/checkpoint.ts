#!/usr/bin/env node
// `npm run checkpoint -- <module>`: tells a workshop attendee whether a module of docs/workshop/ is done.
// Every check is real (the local cloud, the tests, tsc, an offline synth) and needs no AWS account.
// tools/workshop/test/workshop-checkpoints.test.ts runs all of them in `npm test`, so they never drift from the code.
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '../../..');
const node = process.execPath;
const tsc = join(root, 'node_modules/typescript/bin/tsc');
const vitest = join(root, 'node_modules/vitest/vitest.mjs');

class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
}

function ok(text: string): void {
  console.log(`  ✓ ${text}`);
}

function expectThat(condition: boolean, failure: string): asserts condition {
  if (!condition) throw new CheckpointError(failure);
}

function requireFiles(paths: readonly string[]): void {
  const missing = paths.filter((path) => !existsSync(join(root, path)));
  expectThat(missing.length === 0, `missing: ${missing.join(', ')}`);
  ok(`${paths.length} files the module names exist`);
}

/** Runs a command to completion; its output is shown only when it fails. */
function run(what: string, args: readonly string[], cwd = root): void {
  const result = spawnSync(node, args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${dirname(node)}:${process.env.PATH ?? ''}` },
  });
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim();
  expectThat(result.status === 0, `${what} failed:\n${output.split('\n').slice(-40).join('\n')}`);
  ok(what);
}

function typecheck(project: string): void {
  run(`typecheck of ${project}`, [tsc, '-p', join(project, 'tsconfig.json'), '--noEmit']);
}

/** vitest with the console reporter only: the JSON report of the project's own `npm test` stays as it is. */
function runTests(project: string, files: readonly string[] = []): void {
  const what = files.length > 0 ? `${files.join(', ')} in ${project}` : `the tests of ${project}`;
  run(what, [vitest, 'run', '--reporter=dot', ...files], join(root, project));
}

function requireBundles(): void {
  const missing = ['orders', 'payments', 'invoices'].filter(
    (app) => !existsSync(join(root, 'apps', app, 'dist')),
  );
  expectThat(missing.length === 0, `no bundles in apps/{${missing.join(',')}}/dist: run npm run build first`);
}

/** The CDK app synthesized offline into a temporary folder (no credentials), removed afterwards. */
function withSynth<T>(args: readonly string[], read: (outdir: string) => T): T {
  requireBundles();
  const outdir = mkdtempSync(join(tmpdir(), 'workshop-synth-'));
  try {
    run(`cdk synth ${args.join(' ')}`.trim(), [
      join(root, 'infra/scripts/cdk.ts'),
      'synth',
      '--quiet',
      ...args,
      '--output',
      outdir,
    ]);
    return read(outdir);
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function stackNames(assemblyDir: string): Map<string, { terminationProtection?: boolean }> {
  const manifest = JSON.parse(readFileSync(join(assemblyDir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<
      string,
      { type: string; properties?: { stackName?: string; terminationProtection?: boolean } }
    >;
  };
  return new Map(
    Object.values(manifest.artifacts)
      .filter((artifact) => artifact.type === 'aws:cloudformation:stack' && artifact.properties?.stackName)
      .map((artifact) => [artifact.properties?.stackName as string, artifact.properties ?? {}]),
  );
}

/** The stacks of a stage, in deployment order. */
const STACKS = ['data', 'identity', 'invoices', 'payments', 'orders'];

interface OrderView {
  status: string;
  invoiceId?: string;
  payment: { method: string; status: string; attempts: number; reason?: string };
}

/** The local cloud at `url`, its EventBridge endpoint, and the access token of the attendee's test customer. */
interface LocalApi {
  url: string;
  eventBridge: string;
  token: string;
}

/**
 * `npm start` on a free port, with the workflow's retry waits shortened, stopped by its PID, and a
 * test customer signed in with `npm run token`, as the module tells an attendee to.
 */
async function withLocalCloud(work: (api: LocalApi) => Promise<void>): Promise<void> {
  requireBundles();
  const outdir = mkdtempSync(join(tmpdir(), 'workshop-local-'));
  let child: ChildProcess | undefined;
  try {
    run('cdk synth -c stage=local', [
      join(root, 'infra/scripts/cdk.ts'),
      'synth',
      '--quiet',
      '-c',
      'stage=local',
      '--output',
      outdir,
    ]);
    const started = spawn(
      node,
      [
        'tools/e2e/src/start.ts',
        '--port',
        '0',
        '--fast-retries',
        '--assembly',
        join(outdir, 'assembly-local'),
      ],
      { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    child = started;
    let output = '';
    const [url, eventBridge] = await new Promise<[string, string]>((resolveUrls, reject) => {
      const read = (chunk: Buffer) => {
        output += chunk.toString();
        const api = /HTTP API\s+(http:\/\/\S+)/.exec(output)?.[1];
        const bus = /EventBridge\s+(http:\/\/\S+)/.exec(output)?.[1];
        if (api && bus) resolveUrls([api, bus]);
      };
      started.stdout?.on('data', read);
      started.stderr?.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      started.on('exit', (code) => reject(new CheckpointError(`npm start exited (${code}):\n${output}`)));
    });
    ok(`npm start is up at ${url} (PID ${started.pid})`);
    const signedIn = spawnSync(node, ['tools/e2e/src/token-cli.ts', 'workshop', '--url', url], {
      cwd: root,
      encoding: 'utf8',
    });
    expectThat(signedIn.status === 0, `npm run token -- workshop failed:\n${signedIn.stderr}`);
    ok('npm run token -- workshop signed in workshop@example.com');
    await work({ url, eventBridge, token: signedIn.stdout.trim() });
  } finally {
    if (child?.pid !== undefined && child.exitCode === null) {
      const exited = new Promise((resolveExit) => child?.once('exit', resolveExit));
      process.kill(child.pid, 'SIGTERM');
      await exited;
      ok(`stopped PID ${child.pid}`);
    }
    rmSync(outdir, { recursive: true, force: true });
  }
}

/** GET on a customer route, as curl with the attendee's token. */
function get({ url, token }: LocalApi, path: string): Promise<Response> {
  return fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
}

async function placeOrder({ url, token }: LocalApi, payment: object): Promise<string> {
  const response = await fetch(`${url}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({
      currency: 'EUR',
      items: [{ sku: 'BOOK-1', quantity: 2, unitPrice: 1250 }],
      payment,
    }),
  });
  const body = (await response.json()) as { orderId?: string; status?: string };
  expectThat(
    response.status === 202 && body.status === 'PENDING_PAYMENT' && typeof body.orderId === 'string',
    `POST /orders answered ${response.status} ${JSON.stringify(body)}`,
  );
  return body.orderId as string;
}

/**
 * Module 5's replay: the payment outcomes of a window sent again from the data stack's archive to
 * the orders' rule, with the command the runbook gives (`aws events start-replay`'s local twin).
 */
function replayToOrders(api: LocalApi, from: Date): void {
  const { region } = (
    JSON.parse(readFileSync(join(root, 'infra/cdk.json'), 'utf8')) as {
      context: { region: string };
    }
  ).context;
  const events = `arn:aws:events:${region}:000000000000`;
  const name = 'serverless-commerce-local';
  run('node tools/e2e/src/replay-cli.ts (a replay of the payment outcomes)', [
    'tools/e2e/src/replay-cli.ts',
    '--endpoint-url',
    api.eventBridge,
    '--replay-name',
    `workshop-${Date.now()}`,
    '--event-source-arn',
    `${events}:archive/${name}-events`,
    '--event-start-time',
    from.toISOString(),
    '--event-end-time',
    new Date().toISOString(),
    '--destination',
    JSON.stringify({
      Arn: `${events}:event-bus/${name}-events`,
      FilterArns: [`${events}:rule/${name}-events/${name}-order-events`],
    }),
  ]);
}

const TERMINAL = new Set(['INVOICED', 'PAYMENT_FAILED', 'CANCELLED']);

/**
 * Follows GET /orders/{id} until the order is terminal, as an attendee would with curl, and has
 * taken in its payment's events: the order-events queue does not keep order, so an InvoiceIssued
 * can make the order INVOICED before the PaymentCaptured that brings a card's attempts arrives.
 */
async function settled(api: LocalApi, orderId: string): Promise<OrderView> {
  const deadline = Date.now() + 90_000;
  for (;;) {
    const order = (await (await get(api, `/orders/${orderId}`)).json()) as OrderView;
    const paymentPending =
      order.status === 'INVOICED' && order.payment.method === 'card' && order.payment.attempts === 0;
    if (TERMINAL.has(order.status) && !paymentPending) return order;
    expectThat(Date.now() < deadline, `order ${orderId} still ${order.status} after 90 s`);
    await new Promise((wake) => setTimeout(wake, 200));
  }
}

const checkpoints: Record<string, { title: string; check: () => void | Promise<void> }> = {
  '1': {
    title: 'run it locally',
    check: () =>
      withLocalCloud(async (api) => {
        const page = await fetch(`${api.url}/`);
        expectThat(page.status === 200, `the flow page at / answered ${page.status}`);
        ok('the flow page answers at /');
        const anonymous = await fetch(`${api.url}/orders/ord_unknown`);
        expectThat(anonymous.status === 401, `GET /orders without a token answered ${anonymous.status}`);
        ok('a request without a token is refused with 401');
        const orderId = await placeOrder(api, { method: 'card', token: 'tok_visa' });
        const order = await settled(api, orderId);
        expectThat(
          order.status === 'INVOICED' && typeof order.invoiceId === 'string',
          `a tok_visa order ended ${JSON.stringify(order)}`,
        );
        const invoice = await get(api, `/invoices/${order.invoiceId}`);
        expectThat(invoice.status === 200, `GET /invoices/${order.invoiceId} answered ${invoice.status}`);
        ok(`order ${orderId} is INVOICED with invoice ${order.invoiceId}`);
      }),
  },
  '2': {
    title: 'read a handler',
    check: () => {
      const handler = 'apps/orders/src/handlers/place-order.ts';
      const domain = 'apps/orders/src/domain/place-order.ts';
      requireFiles([
        handler,
        domain,
        'apps/orders/src/domain/order.ts',
        'apps/orders/src/domain/ports.ts',
        'apps/orders/src/adapters/orders-store.ts',
        'apps/orders/src/adapters/payment-requests.ts',
        'apps/orders/src/adapters/event-bus.ts',
        'apps/orders/src/adapters/idempotency.ts',
        'apps/orders/src/commons/observability.ts',
      ]);
      expectThat(
        readFileSync(join(root, handler), 'utf8').includes("from '../domain/place-order.ts'"),
        `${handler} no longer delegates to ${domain}`,
      );
      const domainDir = join(root, 'apps/orders/src/domain');
      const awsInDomain = readdirSync(domainDir).filter((file) =>
        readFileSync(join(domainDir, file), 'utf8').includes('@aws-sdk/'),
      );
      expectThat(awsInDomain.length === 0, `the domain imports the AWS SDK: ${awsInDomain.join(', ')}`);
      ok('the handler delegates to the domain, and the domain imports no AWS SDK');
      runTests('apps/orders', [
        'test/place-order-request.test.ts',
        'test/place-order-rejections.test.ts',
        'test/place-order-flow.test.ts',
        'test/place-order-handler.test.ts',
        'test/place-order-queue-failure.test.ts',
      ]);
    },
  },
  '3': {
    title: 'add a field end to end',
    check: () => {
      requireFiles([
        'libs/contracts/src/http.ts',
        'apps/orders/src/domain/place-order.ts',
        'apps/orders/src/domain/order.ts',
        'apps/orders/src/adapters/orders-store.ts',
        'apps/orders/src/handlers/get-order.ts',
        'apps/orders/test/builders.ts',
        'apps/orders/test/place-order-request.test.ts',
        'apps/orders/test/get-order-handler.test.ts',
        'tools/e2e/test/e2e-flow.test.ts',
      ]);
      typecheck('libs/contracts');
      typecheck('apps/orders');
      runTests('apps/orders');
    },
  },
  '4': {
    title: 'add a new consumer of an event',
    check: () => {
      requireFiles([
        'CONTRIBUTING.md',
        'libs/contracts/src/events.ts',
        'libs/contracts/src/commands.ts',
        'libs/contracts/test/contracts.test.ts',
        'libs/shared/src/messages.ts',
        'infra/src/parameters.ts',
        'infra/src/constructs/queue-with-dlq.ts',
        'infra/src/stacks/invoices-service.ts',
        'infra/test/services.test.ts',
        'apps/invoices/src/handlers/issue-invoice.ts',
      ]);
      typecheck('libs/contracts');
      typecheck('infra');
      runTests('libs/contracts', ['test/contracts.test.ts']);
      runTests('infra', ['test/services.test.ts']);
    },
  },
  '5': {
    title: 'break the payment provider',
    check: () =>
      withLocalCloud(async (api) => {
        // Event times are to the second: the replay's window starts at the second of the orders.
        const windowStart = new Date(Math.floor(Date.now() / 1000) * 1000);
        const [flakyId, outageId] = await Promise.all([
          placeOrder(api, { method: 'card', token: 'tok_flaky' }),
          placeOrder(api, { method: 'card', token: 'tok_outage' }),
        ]);
        const [flaky, outage] = await Promise.all([settled(api, flakyId), settled(api, outageId)]);
        expectThat(
          flaky.status === 'INVOICED' && flaky.payment.attempts === 3,
          `tok_flaky should be INVOICED after 3 attempts: ${JSON.stringify(flaky)}`,
        );
        ok(`tok_flaky order ${flakyId}: INVOICED after ${flaky.payment.attempts} attempts`);
        expectThat(
          outage.status === 'PAYMENT_FAILED' &&
            outage.payment.reason === 'provider_unavailable' &&
            outage.invoiceId === undefined,
          `tok_outage should be PAYMENT_FAILED, provider_unavailable, no invoice: ${JSON.stringify(outage)}`,
        );
        ok(
          `tok_outage order ${outageId}: PAYMENT_FAILED (provider_unavailable) after ${outage.payment.attempts} attempts, no invoice`,
        );
        replayToOrders(api, windowStart);
        const [flakyAgain, outageAgain] = await Promise.all([settled(api, flakyId), settled(api, outageId)]);
        expectThat(
          JSON.stringify([flakyAgain, outageAgain]) === JSON.stringify([flaky, outage]),
          `the replay changed the orders: ${JSON.stringify([flakyAgain, outageAgain])}`,
        );
        ok(
          `after the replay, ${flakyId} is still INVOICED with its one invoice ${flaky.invoiceId}, ${outageId} unchanged`,
        );
      }),
  },
  '6': {
    title: 'deploy your personal stage (offline: what would be deployed)',
    check: () =>
      withSynth([], (outdir) => {
        const personal = readdirSync(outdir).find((entry) => /^assembly-dev-/.test(entry));
        expectThat(personal !== undefined, 'npm run synth produced no dev-<user> stage');
        const stage = personal.replace(/^assembly-/, '');
        const stacks = stackNames(join(outdir, personal));
        const expected = STACKS.map((stack) => `serverless-commerce-${stage}-${stack}`);
        expectThat(
          expected.every((name) => stacks.has(name)),
          `expected stacks ${expected.join(', ')}; synthesized ${[...stacks.keys()].join(', ')}`,
        );
        expectThat(
          [...stacks.values()].every((stack) => stack.terminationProtection !== true),
          `a stack of ${stage} has termination protection: npm run destroy could not remove it`,
        );
        ok(`stage ${stage}: ${expected.join(', ')}, none protected from npm run destroy`);
      }),
  },
  '7': {
    title: 'promote through the pipeline',
    check: () => {
      const deploy = readFileSync(join(root, '.github/workflows/deploy.yml'), 'utf8');
      expectThat(
        /branches: \[main\]/.test(deploy) && /tags: \['v\*'\]/.test(deploy),
        'deploy.yml no longer deploys on pushes to main and tags v*',
      );
      ok('deploy.yml: main → test, tags v* → prod');
      withSynth([], (outdir) => {
        const pipeline = readFileSync(join(outdir, 'Pipeline.template.json'), 'utf8');
        expectThat(
          pipeline.includes('npm run e2e -- --stage test'),
          'the pipeline runs no scenario suite against test',
        );
        expectThat(/"Category":\s*"Approval"/.test(pipeline), 'the pipeline has no manual approval');
        for (const stage of ['test', 'prod']) {
          const stacks = stackNames(join(outdir, `assembly-Pipeline-${stage}`));
          const data = stacks.get(`serverless-commerce-${stage}-data`);
          expectThat(data?.terminationProtection === true, `the ${stage} data stack is not protected`);
          expectThat(
            STACKS.every((stack) => stacks.has(`serverless-commerce-${stage}-${stack}`)),
            `the pipeline's ${stage} stage lacks a stack: ${[...stacks.keys()].join(', ')}`,
          );
        }
        ok(
          'the pipeline deploys test, runs the scenario suite on it, then prod after a manual approval, data stacks protected',
        );
      });
    },
  },
};

const requested = process.argv.slice(2);
if (requested.length === 0 || requested.some((module) => !(module in checkpoints))) {
  console.error(
    `Usage: npm run checkpoint -- <module>...  (modules: ${Object.keys(checkpoints).join(', ')}; docs/workshop/)`,
  );
  process.exit(2);
}
let failed = false;
for (const module of requested) {
  const checkpoint = checkpoints[module] as (typeof checkpoints)[string];
  console.log(`Checkpoint ${module}: ${checkpoint.title}`);
  try {
    await checkpoint.check();
    console.log(`Checkpoint ${module} passed.`);
  } catch (error) {
    failed = true;
    console.log(`  ✗ ${error instanceof CheckpointError ? error.message : (error as Error).stack}`);
    console.log(`Checkpoint ${module} FAILED.`);
  }
}
process.exit(failed ? 1 : 0);
