import { SendTaskFailureCommand, SendTaskSuccessCommand, SFNClient } from '@aws-sdk/client-sfn';
import { awsClientConfig } from '@shop/shared/aws-clients';
import type { TaskCallbacks } from '../domain/ports.ts';

// Answering a task token needs no state machine ARN in code (IAM scopes it to the state machine),
// so this module reads no environment and is separate from the one that starts executions.
const client = new SFNClient(awsClientConfig('sfn'));

/**
 * Step Functions' answers for a token nobody waits on: the task timed out, was answered already or
 * its execution ended (TaskTimedOut, TaskDoesNotExist), or the token is not one (InvalidToken).
 */
const NOT_WAITING = new Set(['TaskTimedOut', 'TaskDoesNotExist', 'InvalidToken']);

async function deliver(send: () => Promise<unknown>): Promise<'delivered' | 'not-waiting'> {
  try {
    await send();
    return 'delivered';
  } catch (error) {
    if (error instanceof Error && NOT_WAITING.has(error.name)) return 'not-waiting';
    throw error;
  }
}

export const taskCallbacks: TaskCallbacks = {
  succeed: (taskToken, output) =>
    deliver(() => client.send(new SendTaskSuccessCommand({ taskToken, output: JSON.stringify(output) }))),
  fail: (taskToken, { error, cause }) =>
    deliver(() => client.send(new SendTaskFailureCommand({ taskToken, error, cause }))),
};
