import { createHash, randomBytes } from 'node:crypto';
import { StepFunctionsApiError, taskError } from './errors.ts';

/**
 * The tasks that wait for a callback (`.waitForTaskToken`), by token, and their answers through
 * SendTaskSuccess, SendTaskFailure and SendTaskHeartbeat. A token stays known after its task ended,
 * so that a late answer gets AWS's TaskTimedOut rather than TaskDoesNotExist; text that is no token
 * of the engine's gets InvalidToken.
 */
export interface WaitOptions {
  executionArn: string;
  stateName: string;
  /** When the token expires. The state itself is failed with States.Timeout by the library. */
  timeoutMs?: number;
  /** The longest time between two heartbeats: past it the task fails with States.HeartbeatTimeout. */
  heartbeatMs?: number;
}

interface WaitingTask {
  executionArn: string;
  ended: boolean;
  heartbeatMs: number | undefined;
  resolve(output: unknown): void;
  reject(error: Error): void;
  timeout?: NodeJS.Timeout;
  heartbeat?: NodeJS.Timeout;
}

const NONCE_BYTES = 88;
const CHECKSUM_BYTES = 8;
/** 96 bytes in base64url, unpadded. */
const TOKEN_TEXT = /^[A-Za-z0-9_-]{128}$/;
const checksum = (nonce: Buffer): Buffer =>
  createHash('sha256').update(nonce).digest().subarray(0, CHECKSUM_BYTES);

/**
 * Opaque, unguessable, and within the 2,048 characters AWS allows (its own are about 700). A
 * checksum closes it, so that text the engine could not have issued is told apart from a token
 * it issued and forgot (a restart): AWS answers the first InvalidToken, the second TaskDoesNotExist.
 */
export const newTaskToken = (): string => {
  const nonce = randomBytes(NONCE_BYTES);
  return Buffer.concat([nonce, checksum(nonce)]).toString('base64url');
};

/** Whether the engine could have issued this token (see newTaskToken). */
export function isWellFormedTaskToken(token: string): boolean {
  if (!TOKEN_TEXT.test(token)) return false;
  const bytes = Buffer.from(token, 'base64url');
  return checksum(bytes.subarray(0, NONCE_BYTES)).equals(bytes.subarray(NONCE_BYTES));
}

export class TaskTokens {
  readonly #tasks = new Map<string, WaitingTask>();

  /** Registers the token now (an answer may arrive before the function that received it returns). */
  wait(token: string, options: WaitOptions): Promise<unknown> {
    const { promise, resolve, reject } = Promise.withResolvers<unknown>();
    const task: WaitingTask = {
      executionArn: options.executionArn,
      ended: false,
      heartbeatMs: options.heartbeatMs,
      resolve,
      reject,
    };
    this.#tasks.set(token, task);
    if (options.timeoutMs !== undefined) {
      // Same delay as the library's own timer, set just before it: the token has expired by the
      // time the state fails, so an answer racing the timeout gets TaskTimedOut, as on AWS.
      task.timeout = setTimeout(() => this.#end(task), options.timeoutMs);
    }
    this.#armHeartbeat(task);
    return promise;
  }

  succeed(token: string, output: unknown): void {
    const task = this.#waiting(token);
    this.#end(task);
    task.resolve(output);
  }

  fail(token: string, error: string, cause: string): void {
    const task = this.#waiting(token);
    this.#end(task);
    task.reject(taskError(error, cause));
  }

  heartbeat(token: string): void {
    this.#armHeartbeat(this.#waiting(token));
  }

  /** The task stopped waiting (answered, failed or aborted): later answers get TaskTimedOut. */
  end(token: string): void {
    const task = this.#tasks.get(token);
    if (task) this.#end(task);
  }

  /** The execution a token was issued to, while the engine knows the token. */
  executionOf(token: string): string | undefined {
    return this.#tasks.get(token)?.executionArn;
  }

  /** Every task of an execution that stopped. */
  endExecution(executionArn: string): void {
    for (const task of this.#tasks.values()) {
      if (task.executionArn === executionArn) this.#end(task);
    }
  }

  stop(): void {
    for (const task of this.#tasks.values()) this.#end(task);
    this.#tasks.clear();
  }

  #waiting(token: string): WaitingTask {
    const task = this.#tasks.get(token);
    if (!task && !isWellFormedTaskToken(token)) {
      throw new StepFunctionsApiError('InvalidToken', "Invalid Token: 'Invalid token'");
    }
    if (!task) throw new StepFunctionsApiError('TaskDoesNotExist', 'Task does not exist');
    if (task.ended) {
      throw new StepFunctionsApiError(
        'TaskTimedOut',
        "Task Timed Out: 'Provided task does not exist anymore'",
      );
    }
    return task;
  }

  #armHeartbeat(task: WaitingTask): void {
    if (task.heartbeatMs === undefined) return;
    clearTimeout(task.heartbeat);
    task.heartbeat = setTimeout(() => {
      this.#end(task);
      task.reject(
        taskError(
          'States.HeartbeatTimeout',
          'No heartbeat was received within the HeartbeatSeconds of the task',
        ),
      );
    }, task.heartbeatMs);
  }

  #end(task: WaitingTask): void {
    task.ended = true;
    clearTimeout(task.timeout);
    clearTimeout(task.heartbeat);
  }
}
