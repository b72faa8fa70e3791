import { inject } from 'vitest';

export interface LocalEndpoints {
  dynamodb: string;
  sqs: string;
  /** Starts with no bus but `default`: each test file creates its own (`createTestBus`). */
  eventbridge: string;
  /**
   * Starts with no state machine: each test file creates its own (`createTestWorkflow`). Runs no
   * functions: its callback tasks send their token to an SQS queue.
   */
  stepfunctions: string;
  /** Closes every connection it accepts: a client pointed at it fails as on an outage. */
  refusing: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    localEndpoints: LocalEndpoints;
  }
}

/** The endpoints of the emulators the global setup started for this test run. */
export function localEndpoints(): LocalEndpoints {
  return inject('localEndpoints');
}
