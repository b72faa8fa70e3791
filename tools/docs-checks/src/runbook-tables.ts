#!/usr/bin/env node
// Writes the alarm tables of docs/runbook.md (dead-letter queues, function errors, error rates,
// throttles) between their markers, from a fresh synthesis of the CDK app: each row from what infra
// keeps with the function or the queue (`invokedBy`, `failureMeans`, `holds`: infra/src/runbook.ts).
// The prose around the tables is written by hand.
//   npm run runbook-tables -w @shop/docs-checks              rewrites the tables
//   node tools/docs-checks/src/runbook-tables.ts --check     exits 1 when the committed tables are out of date
// The docs check in `npm test` runs the same comparison, so a new function or queue cannot ship without its rows.
import { fileURLToPath } from 'node:url';
import { type DeadLetterQueueRunbook, type FunctionRunbook, RUNBOOK_METADATA } from '@shop/infra/runbook';
import { APP_NAME } from '@shop/infra/stages';
import { type GeneratedRegion, runGenerator } from './generated-region.ts';
import { type SynthesizedResource, synthesizeApp } from './synthesized-app.ts';

const RUNBOOK = fileURLToPath(new URL('../../../docs/runbook.md', import.meta.url));
const table = (name: string): GeneratedRegion => ({ document: RUNBOOK, name, script: 'runbook-tables' });
export const RUNBOOK_TABLES = {
  deadLetterQueues: table('DLQ ALARMS'),
  errors: table('ERROR ALARMS'),
  errorRates: table('ERROR-RATE ALARMS'),
  throttles: table('THROTTLE ALARMS'),
} as const;

const PREFIX = `${APP_NAME}-<stage>-`;
/** The order an order's messages meet the stacks in; the rows of one stack keep the template's order. */
const STACK_ORDER = ['orders', 'payments', 'invoices', 'data'];

interface FunctionRow extends FunctionRunbook {
  /** The handler's name: the physical name without `serverless-commerce-<stage>-`. */
  readonly name: string;
  /** The queue it consumes, by its short name, if it is a consumer. */
  readonly queue?: string;
}

interface DeadLetterQueueRow extends DeadLetterQueueRunbook {
  /** The source queue's short name: the DLQ's physical name without the prefix and `-dlq`. */
  readonly queue: string;
}

const shortName = (physicalName: string) => physicalName.slice(PREFIX.length);
const runbookOf = <T>(resource: SynthesizedResource) => resource.metadata[RUNBOOK_METADATA] as T | undefined;

/** The tables of the runbook, each with the region it fills, from the resources of a personal stage. */
export function renderRunbookTables(resources: readonly SynthesizedResource[]): [GeneratedRegion, string][] {
  const personal = resources
    .filter((resource) => resource.stage === 'personal' && resource.physicalName?.startsWith(PREFIX))
    .sort((a, b) => stackRank(a.stack) - stackRank(b.stack));
  const alarms = new Set(
    personal.flatMap((resource) =>
      resource.type === 'AWS::CloudWatch::Alarm' ? [resource.physicalName as string] : [],
    ),
  );

  const deadLetterQueues: DeadLetterQueueRow[] = personal.flatMap((resource) => {
    const runbook = runbookOf<DeadLetterQueueRunbook>(resource);
    if (resource.type !== 'AWS::SQS::Queue' || !runbook) return [];
    return [{ ...runbook, queue: shortName(resource.physicalName as string).replace(/-dlq$/, '') }];
  });
  const queueOfConsumer = new Map(
    deadLetterQueues.flatMap((dlq) => (dlq.consumer ? [[dlq.consumer, dlq.queue] as const] : [])),
  );
  const functions: FunctionRow[] = personal.flatMap((resource) => {
    const runbook = runbookOf<FunctionRunbook>(resource);
    if (resource.type !== 'AWS::Lambda::Function' || !runbook) return [];
    const queue = queueOfConsumer.get(resource.physicalName as string);
    return [{ ...runbook, name: shortName(resource.physicalName as string), ...(queue ? { queue } : {}) }];
  });
  const alarmOf = (name: string, kind: string) => {
    const alarm = `${PREFIX}${name}-${kind}`;
    return alarms.has(alarm) ? alarm : undefined;
  };
  /** One row per function with an alarm of `kind`: the alarm, the function, what invokes it, then `cells`. */
  const functionTable = (kind: string, headers: readonly string[], cells: (fn: FunctionRow) => string[]) =>
    markdownTable(
      ['Alarm', 'Function', 'Invoked by', ...headers],
      functions.flatMap((fn) => {
        const alarm = alarmOf(fn.name, kind);
        return alarm ? [[code(alarm), code(fn.name), fn.invokedBy, ...cells(fn)]] : [];
      }),
    );

  return [
    [
      RUNBOOK_TABLES.deadLetterQueues,
      markdownTable(
        ['Alarm', 'Dead-letter queue', 'What waits in it', 'Consumer whose logs explain it', 'First step'],
        deadLetterQueues.flatMap((dlq) => {
          const alarm = alarmOf(`${dlq.queue}-dlq`, 'not-empty');
          if (!alarm) return [];
          return [
            [
              code(alarm),
              code(`${PREFIX}${dlq.queue}-dlq`),
              dlq.holds,
              dlq.consumer
                ? code(dlq.consumer)
                : 'none: EventBridge gives each message `ERROR_CODE` and `ERROR_MESSAGE` attributes',
              `look at its messages: ${code(`QUEUE=${dlq.queue}`)} in step 1 below`,
            ],
          ];
        }),
      ),
    ],
    [
      RUNBOOK_TABLES.errors,
      functionTable('errors', ['What a failure means', 'First step'], (fn) => [
        fn.failureMeans,
        fn.queue
          ? `${readErrors(fn.name)}; once fixed, [redrive](#redrive-a-dead-letter-queue) ${code(`${fn.queue}-dlq`)}`
          : readErrors(fn.name),
      ]),
    ],
    [
      RUNBOOK_TABLES.errorRates,
      functionTable('error-rate', ['What its failures mean', 'First step'], (fn) => [
        fn.failureMeans,
        `which error most failures are: ${code(`FUNCTION=${fn.name}`)} in the [errors query](#function-error-alarms)`,
      ]),
    ],
    [
      RUNBOOK_TABLES.throttles,
      functionTable('throttles', ['First step'], (fn) => [
        fn.queue
          ? `none at once: its messages return to ${code(fn.queue)} and are retried; then check the load (below)`
          : 'check whether the load is real (below)',
      ]),
    ],
  ];
}

function stackRank(stack: string): number {
  const rank = STACK_ORDER.indexOf(stack);
  return rank < 0 ? STACK_ORDER.length : rank;
}

function markdownTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell) => cell.replaceAll('|', '\\|')).join(' | ')} |`;
  return [line(header), `|${header.map(() => '---').join('|')}|`, ...rows.map(line)].join('\n');
}

const code = (text: string) => `\`${text}\``;
const readErrors = (name: string) => `read its errors: ${code(`FUNCTION=${name}`)} in the query below`;

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log('Synthesizing the CDK app...');
  runGenerator("The runbook's alarm tables", () => renderRunbookTables(synthesizeApp().resources));
}
