import { randomUUID } from 'node:crypto';
import {
  DeleteItemCommand,
  type DeleteItemCommandInput,
  type DynamoDBClient,
  GetItemCommand,
  type GetItemCommandInput,
  PutItemCommand,
  type PutItemCommandInput,
  UpdateItemCommand,
  type UpdateItemCommandInput,
} from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SendMessageCommandInput, type SQSClient } from '@aws-sdk/client-sqs';
import type { LambdaInvoker } from '../contracts.ts';
import type { TaskPlan } from './definition.ts';
import { taskError } from './errors.ts';
import type { DynamoDbAction } from './task-resources.ts';
import type { TaskTokens } from './task-tokens.ts';

/**
 * What each supported Task resource does locally, with the input and output shapes and the error
 * names of the Step Functions service integrations, so that the definition's ResultSelector, Retry
 * and Catch work unchanged.
 */
export interface PutEventsEntry {
  EventBusName?: string;
  Source: string;
  DetailType: string;
  /** Always a string: an object Detail in the definition is serialized, as Step Functions does. */
  Detail: string;
  /** Step Functions appends the execution's and the state machine's ARNs. */
  Resources?: string[];
  Time?: string;
  TraceHeader?: string;
}

export interface PutEventsResult {
  FailedEntryCount: number;
  Entries: { EventId?: string; ErrorCode?: string; ErrorMessage?: string }[];
}

export type PutEvents = (entries: PutEventsEntry[]) => Promise<PutEventsResult>;

export interface TaskServices {
  invoker: LambdaInvoker;
  functionNameFromArn: (arn: string) => string | undefined;
  clients: { dynamodb: DynamoDBClient; sqs: SQSClient };
  putEvents: PutEvents;
  tokens: TaskTokens;
  /** Checks each call a task makes against its state machine's role; absent, nothing is checked. */
  authorize?: TaskAuthorizer;
}

/** A call a task makes for its state machine, in the service API's terms (`Invoke` and its FunctionName). */
export interface TaskCall {
  service: 'lambda' | 'dynamodb' | 'sqs' | 'events';
  operation: string;
  input: unknown;
}

/**
 * Throws what the service answers a call the state machine's role may not make: an error named
 * AccessDeniedException with the HTTP status in `$metadata`, as the SDK throws it (see src/iam).
 */
export type TaskAuthorizer = (stateMachineArn: string, call: TaskCall) => void;

/** The execution a task runs in. */
export interface TaskExecution {
  executionArn: string;
  stateMachineArn: string;
  /** The token `$$.Task.Token` resolved to while this task's Parameters were evaluated. */
  claimTaskToken(): string;
  /** A callback task handed its token on; `output` is what the hand-over answered (TaskSubmitted). */
  taskSubmitted(stateName: string, output: unknown): void;
}

export type TaskHandler = (input: unknown) => Promise<unknown>;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export function taskHandler(plan: TaskPlan, services: TaskServices, execution: TaskExecution): TaskHandler {
  const { target } = plan;
  const authorize = (call: TaskCall) => services.authorize?.(execution.stateMachineArn, call);
  const invokeAuthorized = async (functionArn: string, functionName: string, payload: unknown) => {
    authorizeInvoke(authorize, functionArn);
    return invokeFunction(services.invoker, functionName, payload);
  };
  switch (target.kind) {
    case 'lambda-function':
      return (input) => invokeAuthorized(plan.resource, target.functionName, input);
    case 'lambda:invoke':
      return target.waitForTaskToken
        ? waitForTaskToken(plan, services, execution, async (input) => {
            const { functionArn, functionName, payload } = lambdaParameters(input, services);
            return lambdaInvokeResult(await invokeAuthorized(functionArn, functionName, payload));
          })
        : async (input) => {
            const { functionArn, functionName, payload } = lambdaParameters(input, services);
            return lambdaInvokeResult(await invokeAuthorized(functionArn, functionName, payload));
          };
    case 'dynamodb':
      return (input) => callDynamoDb(services.clients.dynamodb, target.action, input, authorize);
    case 'sqs:sendMessage':
      return target.waitForTaskToken
        ? waitForTaskToken(plan, services, execution, (input) =>
            sendMessage(services.clients.sqs, input, authorize),
          )
        : (input) => sendMessage(services.clients.sqs, input, authorize);
    case 'events:putEvents':
      return (input) => putEvents(services.putEvents, input, execution, authorize);
  }
}

/** A denied Invoke fails the task as Step Functions names it, with Lambda's own wording as the cause. */
function authorizeInvoke(authorize: (call: TaskCall) => void, functionArn: string): void {
  try {
    authorize({ service: 'lambda', operation: 'Invoke', input: { FunctionName: functionArn } });
  } catch (error) {
    const failure = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
    throw taskError(
      'Lambda.AWSLambdaException',
      `${failure.message} (Service: AWSLambda; Status Code: ${failure.$metadata?.httpStatusCode ?? 403}; Error Code: ${failure.name}; Request ID: ${failure.$metadata?.requestId ?? randomUUID()}; Proxy: null)`,
    );
  }
}

/**
 * Hands the token on (`handOver`: invokes the function or sends the message; its answer is the
 * history's TaskSubmitted, not the task's result, as on AWS), then waits for the token's answer.
 * Whichever comes first decides: the answer, or the hand-over's error.
 */
function waitForTaskToken(
  plan: TaskPlan,
  services: TaskServices,
  execution: TaskExecution,
  handOver: (input: unknown) => Promise<unknown>,
): TaskHandler {
  return async (input) => {
    // Both before any await: the library evaluated the Parameters (and minted the token) just now.
    const token = execution.claimTaskToken();
    const answer = services.tokens.wait(token, {
      executionArn: execution.executionArn,
      stateName: plan.stateName,
      ...(plan.timeoutMs === undefined ? {} : { timeoutMs: plan.timeoutMs }),
      ...(plan.heartbeatMs === undefined ? {} : { heartbeatMs: plan.heartbeatMs }),
    });
    try {
      const handOverError = handOver(input).then((output) => {
        execution.taskSubmitted(plan.stateName, output);
        return new Promise<never>(() => undefined);
      });
      return await Promise.race([answer, handOverError]);
    } finally {
      services.tokens.end(token);
    }
  };
}

function lambdaParameters(
  input: unknown,
  services: TaskServices,
): { functionArn: string; functionName: string; payload: unknown } {
  if (!isObject(input) || typeof input.FunctionName !== 'string') {
    throw taskError('States.Runtime', 'lambda:invoke needs Parameters.FunctionName');
  }
  const functionName = services.functionNameFromArn(input.FunctionName);
  if (functionName === undefined) {
    throw taskError('Lambda.ResourceNotFoundException', `Function not found: ${input.FunctionName}`);
  }
  return { functionArn: input.FunctionName, functionName, payload: input.Payload ?? {} };
}

/** A function error becomes a States error named by its errorType, with Lambda's error JSON as cause. */
async function invokeFunction(
  invoker: LambdaInvoker,
  functionName: string,
  payload: unknown,
): Promise<unknown> {
  let result: Awaited<ReturnType<LambdaInvoker['invoke']>>;
  try {
    result = await invoker.invoke(functionName, payload);
  } catch (error) {
    throw taskError(
      'Lambda.ServiceException',
      `${functionName} could not be invoked: ${(error as Error).message}`,
    );
  }
  if (!result.ok) {
    const { errorType, errorMessage, trace } = result.error;
    throw taskError(errorType, JSON.stringify({ errorType, errorMessage, ...(trace ? { trace } : {}) }));
  }
  return toJson(result.payload);
}

/** The Lambda Invoke response as Step Functions returns it (ResultSelector `$.Payload` works). */
function lambdaInvokeResult(payload: unknown): unknown {
  return {
    ExecutedVersion: '$LATEST',
    Payload: payload,
    ...sdkMetadata(randomUUID(), 'application/json'),
    StatusCode: 200,
  };
}

async function callDynamoDb(
  client: DynamoDBClient,
  action: DynamoDbAction,
  input: unknown,
  authorize: (call: TaskCall) => void,
): Promise<unknown> {
  const parameters = fromStepFunctionsBinary(input);
  try {
    authorize({ service: 'dynamodb', operation: action.charAt(0).toUpperCase() + action.slice(1), input });
    const response = await sendDynamoDb(client, action, parameters);
    const { $metadata, ...output } = response;
    return toJson({
      ...output,
      ...sdkMetadata($metadata.requestId ?? randomUUID(), 'application/x-amz-json-1.0'),
    });
  } catch (error) {
    throw serviceError('DynamoDB', 'DynamoDb', error);
  }
}

function sendDynamoDb(client: DynamoDBClient, action: DynamoDbAction, parameters: unknown) {
  switch (action) {
    case 'putItem':
      return client.send(new PutItemCommand(parameters as PutItemCommandInput));
    case 'updateItem':
      return client.send(new UpdateItemCommand(parameters as UpdateItemCommandInput));
    case 'getItem':
      return client.send(new GetItemCommand(parameters as GetItemCommandInput));
    case 'deleteItem':
      return client.send(new DeleteItemCommand(parameters as DeleteItemCommandInput));
  }
}

async function sendMessage(
  client: SQSClient,
  input: unknown,
  authorize: (call: TaskCall) => void,
): Promise<unknown> {
  if (!isObject(input)) throw taskError('States.Runtime', 'sqs:sendMessage needs Parameters');
  const body = input.MessageBody;
  const parameters = {
    ...(fromStepFunctionsBinary(input) as Json),
    // An object MessageBody is sent as its JSON, as Step Functions does.
    MessageBody: typeof body === 'string' ? body : JSON.stringify(body),
  } as SendMessageCommandInput;
  try {
    authorize({ service: 'sqs', operation: 'SendMessage', input });
    const { $metadata, ...output } = await client.send(new SendMessageCommand(parameters));
    return toJson({ ...output, ...sdkMetadata($metadata.requestId ?? randomUUID(), 'text/xml') });
  } catch (error) {
    throw serviceError('SQS', 'Sqs', error);
  }
}

/**
 * EventBridge PutEvents as the optimized integration runs it: an object Detail is serialized, the
 * execution's and state machine's ARNs are appended to Resources, and a FailedEntryCount above zero
 * fails the task with `EventBridge.FailedEntry` (the name AWS documents).
 */
async function putEvents(
  send: PutEvents,
  input: unknown,
  execution: TaskExecution,
  authorize: (call: TaskCall) => void,
): Promise<unknown> {
  const entries = isObject(input) ? input.Entries : undefined;
  if (!Array.isArray(entries) || !entries.every(isObject)) {
    throw taskError('States.Runtime', 'events:putEvents needs Parameters.Entries, an array of entries');
  }
  const request = entries.map((entry) => ({
    ...entry,
    Detail: typeof entry.Detail === 'string' ? entry.Detail : JSON.stringify(entry.Detail),
    Resources: [
      ...(Array.isArray(entry.Resources) ? entry.Resources : []),
      execution.executionArn,
      execution.stateMachineArn,
    ],
  })) as unknown as PutEventsEntry[];
  let result: PutEventsResult;
  try {
    authorize({ service: 'events', operation: 'PutEvents', input: { Entries: request } });
    result = await send(request);
  } catch (error) {
    throw serviceError('EventBridge', 'EventBridge', error);
  }
  const output = { Entries: result.Entries, FailedEntryCount: result.FailedEntryCount };
  if (result.FailedEntryCount > 0) throw taskError('EventBridge.FailedEntry', JSON.stringify(output));
  return toJson(output);
}

/**
 * An SDK error named as Step Functions names it: `DynamoDB.ConditionalCheckFailedException`, and
 * `<Service>.SdkClientException` when no response came back at all.
 */
function serviceError(prefix: string, service: string, error: unknown): Error {
  const failure = error as Error & { $metadata?: { httpStatusCode?: number; requestId?: string } };
  const status = failure.$metadata?.httpStatusCode;
  if (status === undefined) return taskError(`${prefix}.SdkClientException`, failure.message);
  const requestId = failure.$metadata?.requestId ?? 'unknown';
  return taskError(
    `${prefix}.${failure.name}`,
    `${failure.message} (Service: ${service}, Status Code: ${status}, Request ID: ${requestId})`,
  );
}

/** The HTTP metadata Step Functions adds to an AWS SDK integration's result. */
function sdkMetadata(requestId: string, contentType: string) {
  const headers = { 'Content-Type': contentType, 'x-amzn-RequestId': requestId };
  return {
    SdkHttpMetadata: {
      AllHttpHeaders: Object.fromEntries(Object.entries(headers).map(([name, value]) => [name, [value]])),
      HttpHeaders: headers,
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
  };
}

/** Step Functions carries binary values (DynamoDB B/BS, SQS BinaryValue) as base64; the SDK wants bytes. */
function fromStepFunctionsBinary(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(fromStepFunctionsBinary);
  if (!isObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value).map(([field, item]) => {
      if ((field === 'B' || field === 'BinaryValue') && typeof item === 'string') {
        return [field, Buffer.from(item, 'base64')];
      }
      if (field === 'BS' && Array.isArray(item) && item.every((entry) => typeof entry === 'string')) {
        return [field, item.map((entry) => Buffer.from(entry, 'base64'))];
      }
      return [field, fromStepFunctionsBinary(item)];
    }),
  );
}

/** A result as Step Functions sees it: JSON, with bytes as base64 and nothing undefined. */
function toJson(value: unknown): unknown {
  const text = JSON.stringify(value ?? null, (_key, item: unknown) =>
    item instanceof Uint8Array ? Buffer.from(item).toString('base64') : item,
  );
  return JSON.parse(text);
}
