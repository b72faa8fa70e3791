#!/usr/bin/env node
// Writes the cost model per 1 million orders into docs/cost.md, between the COST MODEL markers, from a
// fresh synthesis of the CDK app (memory, architecture, Kinesis mode of each stage) and the warm
// durations of the recorded bench run (bench/recorded.json, written by npm run bench -- --record):
//   npm run cost-model -w @shop/docs-checks             rewrites the region
//   node tools/docs-checks/src/cost-model.ts --check    exits 1 when the committed region is out of date
// The docs check in `npm test` runs the same comparison, so the model never drifts from the code.
import { fileURLToPath } from 'node:url';
import { type GeneratedRegion, runGenerator } from './generated-region.ts';
import { describeRun, type RecordedBench, readRecordedBench } from './recorded-bench.ts';
import { type SynthesizedResource, synthesizeApp } from './synthesized-app.ts';

export const COST_MODEL: GeneratedRegion = {
  document: fileURLToPath(new URL('../../../docs/cost.md', import.meta.url)),
  name: 'COST MODEL',
  script: 'cost-model',
};

/**
 * eu-west-1 (Ireland) list prices in USD, without free tier. Taken on PRICES_TAKEN from memory of the
 * AWS pricing pages (this repository is built offline): check them against the pages docs/cost.md cites.
 */
export const PRICES_TAKEN = '2026-11-27';
export const PRICES = {
  lambdaArmGbSecond: 0.0000133334,
  lambdaRequest: 0.2 / 1e6,
  sqsRequest: 0.4 / 1e6,
  stepFunctionsStandardTransition: 0.025 / 1000,
  stepFunctionsExpressRequest: 1.0 / 1e6,
  stepFunctionsExpressGbSecond: 0.00001667,
  dynamoDbWriteRequestUnit: 0.7068 / 1e6,
  dynamoDbReadRequestUnit: 0.1413 / 1e6,
  kinesisShardHour: 0.017,
  kinesisPutPayloadUnit: 0.0154 / 1e6,
  kinesisOnDemandStreamHour: 0.044,
  firehoseGb: 0.031,
  eventBridgeEvent: 1.0 / 1e6,
  httpApiRequest: 1.11 / 1e6,
  s3PutRequest: 0.005 / 1000,
  /** Cognito Lite, per monthly active user past the free tier (the first tier's rate). */
  cognitoLiteMonthlyActiveUser: 0.0055,
  secretsManagerSecretMonth: 0.4,
  secretsManagerApiCall: 0.05 / 10_000,
} as const;

/** The order mix and the behaviour the model assumes; change them here, then rerun. */
export const ASSUMPTIONS = {
  /** Share of orders paid by card; the rest by bank transfer (confirmed by the provider's callback). */
  cardShare: 0.8,
  /** Authorize calls per card order: 1 plus the retries of a transient provider error (2% retried once). */
  authorizeCallsPerCardOrder: 1.02,
  /** GET /orders/{id} calls per order (the client polling for the outcome). */
  getOrderCallsPerOrder: 2,
  /** GET /invoices/{id} calls per order. */
  getInvoiceCallsPerOrder: 1,
  /** SQS requests per message: send, receive and delete, without batching (low traffic). */
  sqsRequestsPerMessage: 3,
  /** Bytes of one domain event on the bus and the stream (an envelope with the order's data). */
  eventBytes: 1500,
  /** Firehose bills each record rounded up to 5 KB. */
  firehoseRecordBillingBytes: 5 * 1024,
  /** Objects Firehose writes to S3 per million orders (its buffer flushes at 5 MB or 300 s). */
  s3ObjectsPerMillionOrders: 3000,
  /** Execution duration of a card payment for the Express price (Express bills 64 MB steps). */
  expressCardExecutionSeconds: 1,
  expressMemoryGb: 0.0625,
  /** Hours in a month for the idle cost. */
  hoursPerMonth: 730,
  /**
   * Orders a customer places in a month they sign in: Cognito bills each user who signs in or
   * refreshes a token in a month once, however many orders they place.
   */
  ordersPerActiveCustomer: 1.5,
  /**
   * GetSecretValue calls of confirm-bank-transfer per million orders: one per cold start and then at
   * most one per execution environment every 5 minutes (Powertools Parameters' cache), a month long.
   */
  webhookSecretReadsPerMillionOrders: 20_000,
  /** Secrets per stage: the bank webhook's. */
  secretsPerStage: 1,
} as const;

type PaymentMethod = 'card' | 'bank_transfer';

/** Function invocations per order of each method, by the function's name (docs/architecture.md). */
const INVOCATIONS: Record<PaymentMethod, Record<string, number>> = {
  card: {
    'place-order': 1,
    'start-payment': 1,
    authorize: ASSUMPTIONS.authorizeCallsPerCardOrder,
    capture: 1,
    'issue-invoice': 1,
    'apply-order-event': 2, // PaymentCaptured, InvoiceIssued
    'get-order': ASSUMPTIONS.getOrderCallsPerOrder,
    'get-invoice': ASSUMPTIONS.getInvoiceCallsPerOrder,
  },
  bank_transfer: {
    'place-order': 1,
    'start-payment': 1,
    'await-bank-transfer': 1,
    'confirm-bank-transfer': 1,
    capture: 1,
    'issue-invoice': 1,
    'apply-order-event': 2,
    'get-order': ASSUMPTIONS.getOrderCallsPerOrder,
    'get-invoice': ASSUMPTIONS.getInvoiceCallsPerOrder,
  },
};

/** The states a successful execution enters, by name; each entry (and each retry) is one transition. */
const WORKFLOW_PATHS: Record<PaymentMethod, string[]> = {
  card: [
    'RecordAttempt',
    'PaymentMethod',
    'Authorize',
    'CaptureCard',
    'RecordCapture',
    'PublishPaymentCaptured',
    'RequestInvoice',
    'PaymentCompleted',
  ],
  bank_transfer: [
    'RecordAttempt',
    'PaymentMethod',
    'AwaitBankTransfer',
    'CaptureBankTransfer',
    'RecordCapture',
    'PublishPaymentCaptured',
    'RequestInvoice',
    'PaymentCompleted',
  ],
};

// payment-requests, invoice-requests, order-events ×2; OrderPlaced, PaymentCaptured, InvoiceIssued;
// writes: order + idempotency key, attempt, capture, invoice, PAID, INVOICED; reads: the order for
// each event applied, the payment, the GETs (consistent reads: 1 RRU each).
const CARD_ORDER = {
  queueMessages: 4,
  events: 3,
  httpRequests: 1 + ASSUMPTIONS.getOrderCallsPerOrder + ASSUMPTIONS.getInvoiceCallsPerOrder,
  writes: 7,
  reads: 3 + ASSUMPTIONS.getOrderCallsPerOrder + ASSUMPTIONS.getInvoiceCallsPerOrder,
};

/** Per order: queue messages, bus events, HTTP requests and DynamoDB request units (items under 1 KB). */
const PER_ORDER: Record<
  PaymentMethod,
  { queueMessages: number; events: number; httpRequests: number; writes: number; reads: number }
> = {
  card: CARD_ORDER,
  // as a card, plus the bank's webhook (POST /webhooks/bank-transfers) and the task token kept on the payment
  bank_transfer: {
    ...CARD_ORDER,
    httpRequests: CARD_ORDER.httpRequests + 1,
    writes: CARD_ORDER.writes + 1,
    reads: CARD_ORDER.reads + 1,
  },
};

export interface Inputs {
  /** Memory (MB) and architecture of each function of a personal stage, by short name. */
  readonly functions: ReadonlyMap<string, { memoryMb: number; architecture: string }>;
  readonly workflowStates: readonly string[];
  /** Kinesis shards of a personal stage. */
  readonly personalShards: number;
  /** Warm p50 duration (ms) of each function, measured by the recorded bench run. */
  readonly warmMs: ReadonlyMap<string, number>;
  /** The run the warm durations come from. */
  readonly benchRun: RecordedBench;
}

export function inputsFrom(
  resources: readonly SynthesizedResource[],
  workflowStates: readonly string[],
  bench: RecordedBench,
): Inputs {
  const personal = resources.filter((resource) => resource.stage === 'personal');
  const functions = new Map<string, { memoryMb: number; architecture: string }>();
  for (const resource of personal) {
    if (resource.type !== 'AWS::Lambda::Function' || !resource.physicalName) continue;
    const name = resource.physicalName.replace('serverless-commerce-<stage>-', '');
    const properties = resource.properties as { MemorySize?: number; Architectures?: string[] };
    functions.set(name, {
      memoryMb: properties.MemorySize ?? 128,
      architecture: properties.Architectures?.[0] ?? 'x86_64',
    });
  }
  const stream = personal.find((resource) => resource.type === 'AWS::Kinesis::Stream');
  const personalShards = (stream?.properties as { ShardCount?: number } | undefined)?.ShardCount;
  if (personalShards === undefined) throw new Error('the personal stage has no provisioned Kinesis stream');
  return {
    functions,
    workflowStates,
    personalShards,
    warmMs: new Map(bench.functions.map((fn) => [fn.name, fn.warmMs.p50])),
    benchRun: bench,
  };
}

interface Line {
  readonly service: string;
  readonly usage: string;
  readonly usd: number;
}

const round = (value: number, digits = 2) => value.toLocaleString('en-US', { maximumFractionDigits: digits });
const usd = (value: number) => `$${value.toFixed(2)}`;

/** The Markdown of the model: inputs, per-order usage, the bill per million orders, the idle cost. */
export function renderCostModel(inputs: Inputs): string {
  const orders = 1e6;
  const share: Record<PaymentMethod, number> = {
    card: ASSUMPTIONS.cardShare,
    bank_transfer: 1 - ASSUMPTIONS.cardShare,
  };
  const methods = Object.keys(share) as PaymentMethod[];
  for (const method of methods) {
    const unknown = WORKFLOW_PATHS[method].filter((state) => !inputs.workflowStates.includes(state));
    if (unknown.length > 0)
      throw new Error(`the PaymentWorkflow has no state ${unknown.join(', ')}: update WORKFLOW_PATHS`);
  }
  const mixed = (of: (method: PaymentMethod) => number) =>
    methods.reduce((sum, method) => sum + share[method] * of(method), 0);

  const functionRows: string[] = [];
  let invocations = 0;
  let gbSeconds = 0;
  const names = [...new Set(methods.flatMap((method) => Object.keys(INVOCATIONS[method])))].sort();
  for (const name of names) {
    const fn = inputs.functions.get(name);
    const warm = inputs.warmMs.get(name);
    if (!fn) throw new Error(`no function ${name} in the personal stage's templates`);
    if (warm === undefined)
      throw new Error(`no warm duration for ${name} in bench/recorded.json: run npm run bench -- --record`);
    const perOrder = mixed((method) => INVOCATIONS[method][name] ?? 0);
    // Lambda bills each invocation by the millisecond, rounded up.
    const billedMs = Math.max(1, Math.ceil(warm));
    const fnGbSeconds = perOrder * orders * (billedMs / 1000) * (fn.memoryMb / 1024);
    invocations += perOrder * orders;
    gbSeconds += fnGbSeconds;
    functionRows.push(
      `| ${name} | ${fn.memoryMb} | ${fn.architecture} | ${round(warm)} | ${billedMs} | ${round(perOrder, 3)} | ${round(fnGbSeconds, 1)} |`,
    );
  }

  const transitions = mixed(
    (method) =>
      WORKFLOW_PATHS[method].length + (method === 'card' ? ASSUMPTIONS.authorizeCallsPerCardOrder - 1 : 0),
  );
  const per = (key: keyof (typeof PER_ORDER)['card']) => mixed((method) => PER_ORDER[method][key]);
  const events = per('events');
  const putUnits = events * Math.ceil(ASSUMPTIONS.eventBytes / 25_600);
  const firehoseGb = (events * orders * ASSUMPTIONS.firehoseRecordBillingBytes) / 1024 ** 3;
  const activeCustomers = orders / ASSUMPTIONS.ordersPerActiveCustomer;

  const common: Line[] = [
    {
      service: 'Lambda requests',
      usage: `${round(invocations)} invocations`,
      usd: invocations * PRICES.lambdaRequest,
    },
    {
      service: 'Lambda duration (arm64)',
      usage: `${round(gbSeconds, 1)} GB-s`,
      usd: gbSeconds * PRICES.lambdaArmGbSecond,
    },
    {
      service: 'API Gateway HTTP API',
      usage: `${round(per('httpRequests') * orders)} requests`,
      usd: per('httpRequests') * orders * PRICES.httpApiRequest,
    },
    {
      service: 'SQS',
      usage: `${round(per('queueMessages') * orders)} messages × ${ASSUMPTIONS.sqsRequestsPerMessage} requests`,
      usd: per('queueMessages') * orders * ASSUMPTIONS.sqsRequestsPerMessage * PRICES.sqsRequest,
    },
    {
      service: 'DynamoDB on-demand writes',
      usage: `${round(per('writes') * orders)} WRU`,
      usd: per('writes') * orders * PRICES.dynamoDbWriteRequestUnit,
    },
    {
      service: 'DynamoDB on-demand reads',
      usage: `${round(per('reads') * orders)} RRU`,
      usd: per('reads') * orders * PRICES.dynamoDbReadRequestUnit,
    },
    {
      service: 'EventBridge custom events',
      usage: `${round(events * orders)} events`,
      usd: events * orders * PRICES.eventBridgeEvent,
    },
    {
      service: 'Kinesis PUT payload units',
      usage: `${round(putUnits * orders)} units`,
      usd: putUnits * orders * PRICES.kinesisPutPayloadUnit,
    },
    {
      service: 'Firehose ingestion',
      usage: `${round(firehoseGb, 2)} GB (records billed at 5 KB)`,
      usd: firehoseGb * PRICES.firehoseGb,
    },
    {
      service: 'S3 PUT (archive objects)',
      usage: `${round(ASSUMPTIONS.s3ObjectsPerMillionOrders)} objects`,
      usd: ASSUMPTIONS.s3ObjectsPerMillionOrders * PRICES.s3PutRequest,
    },
    {
      service: 'Cognito user pool (Lite)',
      usage: `${round(activeCustomers, 0)} monthly active customers (${ASSUMPTIONS.ordersPerActiveCustomer} orders each)`,
      usd: activeCustomers * PRICES.cognitoLiteMonthlyActiveUser,
    },
    {
      service: 'Secrets Manager',
      usage: `${round(ASSUMPTIONS.webhookSecretReadsPerMillionOrders)} GetSecretValue calls, ${ASSUMPTIONS.secretsPerStage} secret for a month`,
      usd:
        ASSUMPTIONS.webhookSecretReadsPerMillionOrders * PRICES.secretsManagerApiCall +
        ASSUMPTIONS.secretsPerStage * PRICES.secretsManagerSecretMonth,
    },
  ];
  const standard: Line = {
    service: 'Step Functions Standard',
    usage: `${round(transitions * orders)} state transitions`,
    usd: transitions * orders * PRICES.stepFunctionsStandardTransition,
  };
  const cardOrders = share.card * orders;
  const expressGbSeconds = cardOrders * ASSUMPTIONS.expressCardExecutionSeconds * ASSUMPTIONS.expressMemoryGb;
  const express: Line = {
    service: 'Step Functions Express (card orders only)',
    usage: `${round(cardOrders)} executions, ${round(expressGbSeconds)} GB-s`,
    usd:
      cardOrders * PRICES.stepFunctionsExpressRequest +
      expressGbSeconds * PRICES.stepFunctionsExpressGbSecond,
  };
  const commonTotal = common.reduce((sum, line) => sum + line.usd, 0);
  const table = (lines: readonly Line[]) => [
    '| Service | Usage per 1 million orders | USD |',
    '|---|---|---|',
    ...lines.map((line) => `| ${line.service} | ${line.usage} | ${usd(line.usd)} |`),
  ];

  const shardMonth = inputs.personalShards * ASSUMPTIONS.hoursPerMonth * PRICES.kinesisShardHour;
  const onDemandMonth = ASSUMPTIONS.hoursPerMonth * PRICES.kinesisOnDemandStreamHour;
  const secretsMonth = ASSUMPTIONS.secretsPerStage * PRICES.secretsManagerSecretMonth;
  const withoutCognito = commonTotal - (common.find((line) => line.service.startsWith('Cognito'))?.usd ?? 0);
  return [
    `Prices: eu-west-1 list prices taken ${PRICES_TAKEN}, no free tier. Order mix: ${round(share.card * 100)}% card, ${round(share.bank_transfer * 100)}% bank transfer; every order paid and invoiced.`,
    '',
    `Bench run: ${describeRun(inputs.benchRun)}.`,
    '',
    '**Functions** (memory and architecture from the synthesized personal stage; warm p50 from that bench run):',
    '',
    '| Function | Memory (MB) | Architecture | Warm p50 (ms) | Billed (ms) | Invocations per order | GB-s per 1M orders |',
    '|---|---|---|---|---|---|---|',
    ...functionRows,
    '',
    `**Payment workflow**: ${WORKFLOW_PATHS.card.length} state transitions for a card order (${WORKFLOW_PATHS.card.join(' → ')}), plus one per Authorize retry; ${WORKFLOW_PATHS.bank_transfer.length} for a bank transfer (${WORKFLOW_PATHS.bank_transfer.join(' → ')}). ${round(transitions, 3)} on average.`,
    '',
    '**Per 1 million orders, with Standard workflows (as deployed):**',
    '',
    ...table([...common, standard]),
    `| **Total** | | **${usd(commonTotal + standard.usd)}** |`,
    '',
    '**The Express alternative**, priced beside it: Express cannot wait for a task token nor run longer than 5 minutes, so bank transfers would stay on Standard:',
    '',
    ...table([
      express,
      {
        ...standard,
        service: 'Step Functions Standard (bank transfers only)',
        usage: `${round(share.bank_transfer * orders * WORKFLOW_PATHS.bank_transfer.length)} state transitions`,
        usd:
          share.bank_transfer *
          orders *
          WORKFLOW_PATHS.bank_transfer.length *
          PRICES.stepFunctionsStandardTransition,
      },
    ]),
    `| **Total with Express for cards** | | **${usd(commonTotal + express.usd + share.bank_transfer * orders * WORKFLOW_PATHS.bank_transfer.length * PRICES.stepFunctionsStandardTransition)}** |`,
    '',
    `**Customers, not orders, drive the largest line**: Cognito bills each customer who signs in during a month (past a free tier of 10,000, not counted here). At ${ASSUMPTIONS.ordersPerActiveCustomer} orders per active customer it is ${usd(activeCustomers * PRICES.cognitoLiteMonthlyActiveUser)} of the total; everything else together is ${usd(withoutCognito)}.`,
    '',
    `**Idle, per month**: a personal stage's ${inputs.personalShards} provisioned Kinesis shard costs ${usd(shardMonth)} (${ASSUMPTIONS.hoursPerMonth} h × $${PRICES.kinesisShardHour}) and its webhook secret ${usd(secretsMonth)}; the user pool costs nothing without active users, and everything else bills per request or per GB stored, so an idle personal stage costs about ${usd(shardMonth + secretsMonth)} a month plus storage. test and prod use an on-demand stream: ${usd(onDemandMonth)} a month for the stream alone.`,
  ].join('\n');
}

export function freshCostModel(): string {
  const { resources, paymentWorkflowStates } = synthesizeApp();
  return renderCostModel(inputsFrom(resources, paymentWorkflowStates, readRecordedBench()));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log('Synthesizing the CDK app and reading bench/recorded.json...');
  runGenerator('The cost model', () => [[COST_MODEL, freshCostModel()]]);
}
