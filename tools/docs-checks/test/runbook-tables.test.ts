import { RUNBOOK_METADATA } from '@shop/infra/runbook';
import { describe, expect, it } from 'vitest';
import { RUNBOOK_TABLES, renderRunbookTables } from '../src/runbook-tables.ts';
import type { SynthesizedResource } from '../src/synthesized-app.ts';

const PREFIX = 'serverless-commerce-<stage>-';

function resource(type: string, name: string, metadata: Record<string, unknown> = {}): SynthesizedResource {
  return {
    stack: 'invoices',
    stage: 'personal',
    stackName: `${PREFIX}invoices`,
    path: name,
    logicalId: name.replaceAll('-', ''),
    type,
    physicalName: `${PREFIX}${name}`,
    properties: {},
    metadata,
  };
}

/** A consumer and its queue as a service stack would add them: a function, a DLQ and their alarms. */
const NEW_CONSUMER = [
  resource('AWS::Lambda::Function', 'notify-customer', {
    [RUNBOOK_METADATA]: {
      invokedBy: 'the invoice-notifications queue',
      failureMeans: 'customers are not told that their invoice is ready',
    },
  }),
  resource('AWS::CloudWatch::Alarm', 'notify-customer-errors'),
  resource('AWS::CloudWatch::Alarm', 'notify-customer-throttles'),
  resource('AWS::SQS::Queue', 'invoice-notifications-dlq', {
    [RUNBOOK_METADATA]: {
      holds: 'invoices whose customer was not told',
      consumer: `${PREFIX}notify-customer`,
    },
  }),
  resource('AWS::CloudWatch::Alarm', 'invoice-notifications-dlq-not-empty'),
];

const tableOf = (region: (typeof RUNBOOK_TABLES)[keyof typeof RUNBOOK_TABLES]) =>
  renderRunbookTables(NEW_CONSUMER)
    .find(([rendered]) => rendered === region)?.[1]
    .split('\n') ?? [];

describe('the alarm tables of the runbook', () => {
  it('give a new function its rows from what it says invokes it and what its failure means', () => {
    expect(tableOf(RUNBOOK_TABLES.errors)).toContain(
      `| \`${PREFIX}notify-customer-errors\` | \`notify-customer\` | the invoice-notifications queue | customers are not told that their invoice is ready | read its errors: \`FUNCTION=notify-customer\` in the query below; once fixed, [redrive](#redrive-a-dead-letter-queue) \`invoice-notifications-dlq\` |`,
    );
    expect(tableOf(RUNBOOK_TABLES.throttles)).toContain(
      `| \`${PREFIX}notify-customer-throttles\` | \`notify-customer\` | the invoice-notifications queue | none at once: its messages return to \`invoice-notifications\` and are retried; then check the load (below) |`,
    );
    expect(tableOf(RUNBOOK_TABLES.errorRates)).toHaveLength(2);
  });

  it("give a new queue's DLQ its row from what it holds and the function that consumes the queue", () => {
    expect(tableOf(RUNBOOK_TABLES.deadLetterQueues)).toContain(
      `| \`${PREFIX}invoice-notifications-dlq-not-empty\` | \`${PREFIX}invoice-notifications-dlq\` | invoices whose customer was not told | \`${PREFIX}notify-customer\` | look at its messages: \`QUEUE=invoice-notifications\` in step 1 below |`,
    );
  });

  it('keep a pipe in the wording inside its cell', () => {
    const [fn, ...rest] = NEW_CONSUMER;
    const piped = {
      ...(fn as SynthesizedResource),
      metadata: { [RUNBOOK_METADATA]: { invokedBy: 'a | b', failureMeans: 'c' } },
    };
    const [, errors] = renderRunbookTables([piped, ...rest]).find(
      ([region]) => region === RUNBOOK_TABLES.errors,
    ) ?? ['', ''];
    expect(errors).toContain('| a \\| b | c |');
  });
});
