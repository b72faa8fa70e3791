import { setTimeout as sleep } from 'node:timers/promises';
import {
  DeleteMessageBatchCommand,
  type Message,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSRecord } from 'aws-lambda';
import type { InvokeResult, LambdaInvoker, LogSink } from '../contracts.ts';
import { Listeners } from '../kit/listeners.ts';
import { type ServiceLog, serviceLog } from '../kit/service-log.ts';
import { failedMessageIds, toSqsRecord } from './sqs-event.ts';

/**
 * An SQS event source mapping, polling like Lambda's SQS poller: long-polls the queue, gathers a
 * batch up to batchSize within the batching window, invokes the function with Lambda's SQS event,
 * and deletes what succeeded. What failed is left alone: it comes back after the queue's visibility
 * timeout, and the queue's redrive policy moves it to the DLQ after maxReceiveCount (the SQS
 * emulator does that, as SQS does).
 */
export interface SqsEventSourceOptions {
  /** A client with an explicit local endpoint (and `useQueueUrlAsEndpoint: false` for fauxqs). */
  sqs: SQSClient;
  queueUrl: string;
  queueArn: string;
  functionName: string;
  batchSize: number;
  maximumBatchingWindowSeconds: number;
  reportBatchItemFailures: boolean;
  invoker: LambdaInvoker;
  log: LogSink;
  region: string;
  /** Poll loops running at once, each with one batch in flight at most. Default 2. */
  pollers?: number;
  /** False: created disabled, polling only once enabled. Default true. */
  enabled?: boolean;
  /** Fault injection (src/faults): wraps how a batch is handed to the function. */
  deliver?: (
    records: SQSRecord[],
    invoke: (records: SQSRecord[]) => Promise<InvokeResult>,
  ) => Promise<InvokeResult>;
}

/** One batch handed to the function, and what became of its messages. */
export interface BatchEvent {
  functionName: string;
  queueArn: string;
  messageIds: string[];
  /** The messages' bodies, one for each id of messageIds, as the function received them. */
  bodies: string[];
  /** `partial`: the function reported some items as failed (ReportBatchItemFailures). */
  outcome: 'success' | 'partial' | 'failed';
  /** Messages left in the queue: they return after the visibility timeout. */
  retainedMessageIds: string[];
  deleted: number;
  errorType?: string;
  durationMs: number;
  time: string;
}

/** `disabling`: told to stop polling, with batches still in flight. */
export type EventSourceState = 'enabled' | 'disabling' | 'disabled';

export interface SqsEventSource {
  /** Returns a function that removes the listener. Listeners stay across disable() and enable(). */
  onBatch(listener: (batch: BatchEvent) => void): () => void;
  readonly state: EventSourceState;
  /** Polls again (at once, alongside batches a disable() left in flight). Refused after stop(). */
  enable(): void;
  /** Stops polling and resolves once the batches in flight have been handled; enable() resumes. */
  disable(): Promise<void>;
  /** Stops polling for good and resolves once the batches in flight have been handled. */
  stop(): Promise<void>;
}

/** Kept short so that stop() never waits long for a poll that is still open. */
const pollWaitSeconds = 1;
const maxMessagesPerReceive = 10;
const deleteAttempts = 3;
const backoffMs = (failures: number) => Math.min(5_000, 100 * 2 ** (failures - 1));

export function startSqsEventSource(options: SqsEventSourceOptions): SqsEventSource {
  const { batchSize } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`Invalid batchSize ${batchSize}`);
  const poller = new SqsPoller(options);
  const pollers = options.pollers ?? 2;
  // The current run's loops (none while disabled), and every halted run's, until they end.
  let current: { controller: AbortController; loops: Promise<unknown> } | undefined;
  let halted: Promise<void> = Promise.resolve();
  let ending = 0;
  let stopped = false;
  const run = () => {
    const controller = new AbortController();
    const loops = Promise.all(Array.from({ length: pollers }, () => poller.poll(controller.signal)));
    current = { controller, loops };
  };
  const halt = (): Promise<void> => {
    if (current) {
      current.controller.abort();
      ending += 1;
      const ended = current.loops.then(() => {
        ending -= 1;
      });
      halted = Promise.all([halted, ended]).then(() => undefined);
      current = undefined;
    }
    return halted;
  };
  if (options.enabled !== false) run();
  return {
    onBatch: (listener) => poller.listeners.add(listener),
    get state() {
      return current ? 'enabled' : ending > 0 ? 'disabling' : 'disabled';
    },
    enable() {
      if (stopped) throw new Error('The event source is stopped');
      if (!current) run();
    },
    disable: halt,
    stop() {
      stopped = true;
      return halt();
    },
  };
}

/** The poll loops of one mapping share it: the queue, the function, and stop(). */
class SqsPoller {
  readonly listeners: Listeners<BatchEvent>;
  readonly #options: SqsEventSourceOptions;
  readonly #log: ServiceLog;
  readonly #windowMs: number;

  constructor(options: SqsEventSourceOptions) {
    this.#options = options;
    this.#windowMs = Math.max(0, options.maximumBatchingWindowSeconds) * 1000;
    this.#log = serviceLog(
      options.log,
      `SQS ${options.queueArn.split(':').at(-1)} → ${options.functionName}`,
    );
    this.listeners = new Listeners((error) => this.#log.warn(`A batch listener failed: ${describe(error)}`));
  }

  /**
   * One poll loop, until `halted` aborts; a failed receive is retried with a growing backoff. The
   * signal cuts short backoff and batching-window waits, never a receive: a message a receive takes
   * out of the queue after its caller left would stay invisible for nothing.
   */
  async poll(halted: AbortSignal): Promise<void> {
    try {
      let failures = 0;
      while (!halted.aborted) {
        let messages: Message[];
        try {
          messages = await this.#gatherBatch(halted);
          failures = 0;
        } catch (error) {
          failures += 1;
          const delay = backoffMs(failures);
          this.#log.warn(`ReceiveMessage failed; retrying in ${delay} ms: ${describe(error)}`);
          await pause(delay, halted);
          continue;
        }
        if (messages.length > 0) await this.#handleBatch(messages, halted);
      }
    } catch (error) {
      this.#log.error(`The poller stopped unexpectedly: ${describe(error)}`);
    }
  }

  async #receive(maxMessages: number, waitSeconds: number): Promise<Message[]> {
    const { Messages = [] } = await this.#options.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl: this.#options.queueUrl,
        MaxNumberOfMessages: Math.min(maxMessagesPerReceive, maxMessages),
        WaitTimeSeconds: waitSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    return Messages;
  }

  /**
   * One batch: the first receive long-polls; once a message is in hand, more are gathered until
   * the batch is full or the batching window (counted from that first message) closes. Throws only
   * when the first receive fails, with nothing in hand.
   */
  async #gatherBatch(halted: AbortSignal): Promise<Message[]> {
    const { batchSize } = this.#options;
    const batch = await this.#receive(batchSize, pollWaitSeconds);
    if (batch.length === 0) return batch;
    const windowCloses = Date.now() + this.#windowMs;
    try {
      while (batch.length < batchSize && !halted.aborted) {
        const remainingMs = windowCloses - Date.now();
        if (remainingMs <= 0) break;
        if (remainingMs >= pollWaitSeconds * 1000) {
          batch.push(...(await this.#receive(batchSize - batch.length, pollWaitSeconds)));
        } else {
          // Long polls wait in whole seconds: sleep out the rest of the window, then take what came.
          await pause(remainingMs, halted);
          batch.push(...(await this.#receive(batchSize - batch.length, 0)));
          break;
        }
      }
    } catch (error) {
      this.#log.warn(
        `ReceiveMessage failed while gathering a batch; invoking with what was received: ${describe(error)}`,
      );
    }
    return batch;
  }

  async #invoke(records: SQSRecord[]): Promise<InvokeResult> {
    const event: SQSEvent = { Records: records };
    try {
      return await this.#options.invoker.invoke(this.#options.functionName, event);
    } catch (error) {
      // The invoker's contract is to report failures as results; one that throws anyway must not
      // stop the poller. The batch is treated as a function error.
      return {
        ok: false,
        error: { errorType: (error as Error).name ?? 'Error', errorMessage: describe(error) },
      };
    }
  }

  /** Deletes the records' messages, 10 per request; returns how many SQS confirmed. */
  async #deleteMessages(records: SQSRecord[], halted: AbortSignal): Promise<number> {
    let deleted = 0;
    for (let start = 0; start < records.length; start += maxMessagesPerReceive) {
      deleted += await this.#deleteChunk(records.slice(start, start + maxMessagesPerReceive), halted);
    }
    return deleted;
  }

  async #deleteChunk(chunk: SQSRecord[], halted: AbortSignal): Promise<number> {
    const entries = chunk.map((record, index) => ({
      Id: String(index),
      ReceiptHandle: record.receiptHandle,
    }));
    for (let attempt = 1; attempt <= deleteAttempts; attempt += 1) {
      try {
        const { Successful = [], Failed = [] } = await this.#options.sqs.send(
          new DeleteMessageBatchCommand({ QueueUrl: this.#options.queueUrl, Entries: entries }),
        );
        for (const failure of Failed) {
          const record = chunk[Number(failure.Id)];
          this.#log.warn(
            `Could not delete message ${record?.messageId}: ${failure.Code} ${failure.Message ?? ''}`,
          );
        }
        return Successful.length;
      } catch (error) {
        const last = attempt === deleteAttempts;
        const messageIds = chunk.map((record) => record.messageId);
        if (last) {
          this.#log.error(
            `DeleteMessageBatch failed ${deleteAttempts} times; these messages will be delivered again: ${describe(error)}`,
            { messageIds },
          );
        } else {
          this.#log.warn(`DeleteMessageBatch failed; retrying: ${describe(error)}`, { messageIds });
          await pause(backoffMs(attempt), halted);
        }
      }
    }
    return 0;
  }

  #logOutcome(result: InvokeResult, retained: Set<string> | 'all', kept: SQSRecord[], size: number): void {
    if (!result.ok) {
      const { errorType, errorMessage } = result.error;
      this.#log.warn(`The function failed (${errorType}); the batch of ${size} returns to the queue`, {
        errorType,
        errorMessage,
      });
    } else if (retained === 'all') {
      this.#log.warn(
        'Invalid batch response, or it names a message not in the batch: the whole batch returns',
        { response: result.payload },
      );
    } else if (kept.length > 0) {
      this.#log.info(`${kept.length} of ${size} messages reported as failed; they return to the queue`, {
        messageIds: kept.map((record) => record.messageId),
      });
    }
  }

  async #handleBatch(messages: Message[], halted: AbortSignal): Promise<void> {
    const { queueArn, functionName, region, deliver } = this.#options;
    const started = performance.now();
    const records = messages.map((message) => toSqsRecord(message, { queueArn, region }));
    const invoke = (batch: SQSRecord[]) => this.#invoke(batch);
    const result = deliver ? await deliver(records, invoke) : await invoke(records);
    const retained = !result.ok
      ? 'all'
      : this.#options.reportBatchItemFailures
        ? failedMessageIds(result.payload, records)
        : new Set<string>();
    const isKept = (record: SQSRecord) => retained === 'all' || retained.has(record.messageId);
    const kept = records.filter(isKept);
    const deleted = await this.#deleteMessages(
      records.filter((record) => !isKept(record)),
      halted,
    );
    const outcome = kept.length === 0 ? 'success' : kept.length === records.length ? 'failed' : 'partial';

    this.#logOutcome(result, retained, kept, records.length);
    this.listeners.emit({
      functionName,
      queueArn,
      messageIds: records.map((record) => record.messageId),
      bodies: records.map((record) => record.body),
      outcome,
      retainedMessageIds: kept.map((record) => record.messageId),
      deleted,
      ...(result.ok ? {} : { errorType: result.error.errorType }),
      durationMs: performance.now() - started,
      time: new Date().toISOString(),
    });
  }
}

/** Waits `ms`, or less when `halted` aborts. */
function pause(ms: number, halted: AbortSignal): Promise<void> {
  return sleep(ms, undefined, { signal: halted }).catch(() => undefined);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
