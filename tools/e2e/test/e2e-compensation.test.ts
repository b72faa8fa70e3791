import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { type LocalCloud, type LogEntry, startLocalCloud } from '@shop/local-cloud';
import { eventually } from '@shop/testing/eventually';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { apiClient, awsClients, heldToAsyncApi } from './e2e-support.ts';

/**
 * The payment workflow's compensation when the refund itself keeps failing: the order must still
 * reach PAYMENT_FAILED, with the failed refund on record for an operator.
 *
 * The one stand-in of the end-to-end tests: the refund function's bundle is replaced by one that
 * answers like a provider refusing every refund (ProviderUnavailableError). No emulator or fault
 * can make the test provider's refund fail every time (it is stateless and always succeeds, and the
 * provider-latency fault fails only a share of calls). Everything else is the synthesized `local`
 * stage on the real emulators, a copy of the assembly the other end-to-end tests run.
 */
const REFUND_FUNCTION = /^RefundFunction[0-9A-F]{8}$/;
/** The workflow's Retry of the refund: MaxAttempts 6, so 7 calls (infra/test/workflow.test.ts). */
const REFUND_CALLS = 7;

let workDir: string;
let cloud: LocalCloud;
let api: ReturnType<typeof apiClient>;
let aws: ReturnType<typeof awsClients>;
const logs: LogEntry[] = [];

beforeAll(async () => {
  workDir = mkdtempSync(join(tmpdir(), 'e2e-compensation-'));
  cloud = heldToAsyncApi(
    await startLocalCloud({
      assemblyDir: assemblyWithFailingRefunds(inject('localAssemblyDir'), workDir),
      port: 0,
      log: (entry) => logs.push(entry),
      retryIntervalScale: 0.01,
      maxVisibilityTimeoutSeconds: 1,
    }),
  );
  api = apiClient(cloud);
  aws = awsClients(cloud);
}, 60_000);

afterAll(async () => {
  await cloud?.stop();
  if (workDir) rmSync(workDir, { recursive: true, force: true });
});

/**
 * Copies the stage's assembly, with every function's code asset as an absolute path (the assets
 * stay where the synthesis put them), and the refund function's pointing at the failing stand-in.
 */
function assemblyWithFailingRefunds(assemblyDir: string, into: string): string {
  const standIn = join(into, 'refund-outage');
  mkdirSync(standIn);
  writeFileSync(
    join(standIn, 'index.mjs'),
    [
      'export const handler = async () => {',
      "  const error = new Error('The provider refuses every refund (test stand-in)');",
      "  error.name = 'ProviderUnavailableError';",
      '  throw error;',
      '};',
      '',
    ].join('\n'),
  );
  const copy = join(into, 'assembly-local');
  cpSync(assemblyDir, copy, { recursive: true });
  let replaced = 0;
  for (const file of readdirSync(copy).filter((name) => name.endsWith('.template.json'))) {
    const template = JSON.parse(readFileSync(join(copy, file), 'utf8')) as {
      Resources: Record<string, { Type: string; Metadata?: Record<string, unknown> }>;
    };
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      const assetPath = resource.Metadata?.['aws:asset:path'];
      if (resource.Type !== 'AWS::Lambda::Function' || typeof assetPath !== 'string') continue;
      const isRefund = REFUND_FUNCTION.test(logicalId);
      resource.Metadata = {
        ...resource.Metadata,
        'aws:asset:path': isRefund ? standIn : resolve(assemblyDir, assetPath),
      };
      if (isRefund) replaced++;
    }
    writeFileSync(join(copy, file), JSON.stringify(template));
  }
  if (replaced !== 1) throw new Error(`Expected one refund function in ${assemblyDir}, found ${replaced}`);
  return copy;
}

describe('a capture that goes unanswered while the provider refuses refunds', () => {
  it('fails the order with the failed refund recorded, after the workflow retried the refund', async () => {
    const placed = await api.placeOrder({ method: 'card', token: 'tok_capture_timeout' });
    const order = await eventually(
      () => api.getOrder(placed.body.orderId),
      (response) => ['INVOICED', 'PAYMENT_FAILED'].includes(response.body?.status),
    ).then((response) => response.body);

    const compensation = { action: 'refund_failed' };
    expect(order).toMatchObject({
      status: 'PAYMENT_FAILED',
      payment: { status: 'FAILED', reason: 'provider_unavailable', compensation },
    });
    expect(order.invoiceId).toBeUndefined();
    const { Item } = await aws.dynamodb.send(
      new GetItemCommand({
        TableName: aws.table('payments'),
        Key: { orderId: { S: order.orderId } },
        ConsistentRead: true,
      }),
    );
    expect(Item && unmarshall(Item)).toMatchObject({ status: 'FAILED', compensation });
    const refund = cloud.lambda.stats().find((stats) => stats.functionName.endsWith('-refund'));
    expect(refund).toMatchObject({ invocations: REFUND_CALLS, errors: REFUND_CALLS });
  });
});
