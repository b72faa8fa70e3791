import { AwsApiError } from '../kit/json-protocol-server.ts';

/**
 * An error of the Step Functions API, named by its AWS error code (`ExecutionAlreadyExists`,
 * `TaskDoesNotExist`...), answered with status 400 unless it says otherwise.
 */
export class StepFunctionsApiError extends AwsApiError {}

/**
 * The error a Task state fails with. aws-local-stepfunctions matches Retry and Catch on the error's
 * `name` and reports its `message` as the Cause, so both must be exactly what Step Functions would
 * report (`CardDeclinedError`, `DynamoDB.ConditionalCheckFailedException`, `States.Timeout`...).
 * No `cause` property is set: the library would report it instead of the message.
 */
export function taskError(name: string, cause: string): Error {
  const error = new Error(cause);
  error.name = name;
  return error;
}

/** A state machine definition the local Step Functions would run differently from AWS: refused. */
export class UnsupportedDefinitionError extends Error {
  override readonly name = 'UnsupportedDefinitionError';
}
