/**
 * The Task resources the local Step Functions runs, recognised from a state's `Resource` ARN. Any
 * other resource is refused when the state machine is created, never guessed at run time.
 */
export type DynamoDbAction = 'putItem' | 'updateItem' | 'getItem' | 'deleteItem';

export type TaskTarget =
  /** `arn:aws:states:::lambda:invoke[.waitForTaskToken]`: Parameters carry FunctionName and Payload. */
  | { kind: 'lambda:invoke'; waitForTaskToken: boolean }
  /** A function ARN as the resource: the effective input is the payload, the payload is the result. */
  | { kind: 'lambda-function'; functionName: string }
  | { kind: 'dynamodb'; action: DynamoDbAction }
  /** `.waitForTaskToken`: the consumer of the message reads the task token from it. */
  | { kind: 'sqs:sendMessage'; waitForTaskToken: boolean }
  | { kind: 'events:putEvents' };

const SUPPORTED_RESOURCES = [
  'arn:aws:states:::lambda:invoke',
  'arn:aws:states:::lambda:invoke.waitForTaskToken',
  'arn:aws:lambda:<region>:<account>:function:<name>',
  'arn:aws:states:::dynamodb:putItem | updateItem | getItem | deleteItem',
  'arn:aws:states:::sqs:sendMessage',
  'arn:aws:states:::sqs:sendMessage.waitForTaskToken',
  'arn:aws:states:::events:putEvents',
];

const INTEGRATION = /^arn:[\w-]+:states:::([\w-]+):([\w.]+)$/;
const FUNCTION_ARN = /^arn:[\w-]+:lambda:[\w-]+:\d{12}:function:[\w-]+(:[\w$-]+)?$/;
const DYNAMODB_ACTIONS: readonly string[] = ['putItem', 'updateItem', 'getItem', 'deleteItem'];

/**
 * What a Task resource is, or why the local Step Functions does not run it. A function ARN the
 * wiring cannot name is refused too: it would fail every time the state runs.
 */
export function taskTarget(
  resource: string,
  functionNameFromArn: (arn: string) => string | undefined,
): TaskTarget | { unsupported: string } {
  const integration = INTEGRATION.exec(resource);
  if (integration) {
    const [, service, action] = integration;
    if (service === 'lambda' && action === 'invoke')
      return { kind: 'lambda:invoke', waitForTaskToken: false };
    if (service === 'lambda' && action === 'invoke.waitForTaskToken') {
      return { kind: 'lambda:invoke', waitForTaskToken: true };
    }
    if (service === 'dynamodb' && action && DYNAMODB_ACTIONS.includes(action)) {
      return { kind: 'dynamodb', action: action as DynamoDbAction };
    }
    if (service === 'sqs' && action === 'sendMessage')
      return { kind: 'sqs:sendMessage', waitForTaskToken: false };
    if (service === 'sqs' && action === 'sendMessage.waitForTaskToken') {
      return { kind: 'sqs:sendMessage', waitForTaskToken: true };
    }
    if (service === 'events' && action === 'putEvents') return { kind: 'events:putEvents' };
  } else if (FUNCTION_ARN.test(resource)) {
    const functionName = functionNameFromArn(resource);
    if (functionName !== undefined) return { kind: 'lambda-function', functionName };
    return { unsupported: `its function ${resource} is not a function of this app` };
  }
  return {
    unsupported: `its resource ${resource} is not supported locally (supported: ${SUPPORTED_RESOURCES.join('; ')})`,
  };
}

/** A callback task: it hands `$$.Task.Token` on and waits for SendTaskSuccess or SendTaskFailure. */
export function waitsForTaskToken(target: TaskTarget): boolean {
  return 'waitForTaskToken' in target && target.waitForTaskToken;
}
