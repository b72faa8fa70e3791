import { randomUUID } from 'node:crypto';
import type { Decision } from './policy-evaluator.ts';
import type { IamService } from './requested-access.ts';

/**
 * How each service refuses a call IAM denied: its message, which names the caller's assumed-role
 * session, the action and the resource, and its error body. DynamoDB and SQS answer the generic
 * `com.amazon.coral.service#AccessDeniedException` (SQS adds its query-protocol code, AccessDenied,
 * in `x-amzn-query-error`, which the SDK names the error by); the other JSON services answer
 * `AccessDeniedException`.
 */
export interface Caller {
  roleArn: string;
  /** The assumed-role session: the function's name, as on Lambda. */
  sessionName: string;
}

export interface HttpAnswer {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/** `arn:aws:sts::<account>:assumed-role/<role name>/<session>`: the ARN AWS names a role's caller by. */
export function assumedRoleArn({ roleArn, sessionName }: Caller): string {
  const [, , , , account = '', path = ''] = roleArn.split(':');
  return `arn:aws:sts::${account}:assumed-role/${path.split('/').at(-1)}/${sessionName}`;
}

export function accessDeniedMessage(
  caller: Caller,
  service: IamService,
  access: { action: string; resource: string },
  decision: Exclude<Decision, 'allowed'>,
): string {
  // SQS spells the action in lower case in its refusals.
  const action = service === 'sqs' ? access.action.toLowerCase() : access.action;
  const reason =
    decision === 'explicitly-denied'
      ? 'with an explicit deny in an identity-based policy'
      : `because no identity-based policy allows the ${action} action`;
  return `User: ${assumedRoleArn(caller)} is not authorized to perform: ${action} on resource: ${access.resource} ${reason}`;
}

const JSON_1_0 = 'application/x-amz-json-1.0';
const JSON_1_1 = 'application/x-amz-json-1.1';

const SHAPES: Record<
  Exclude<IamService, 'lambda'>,
  {
    status: number;
    contentType: string;
    type: string;
    messageMember: 'message' | 'Message';
    queryError?: string;
  }
> = {
  dynamodb: {
    status: 400,
    contentType: JSON_1_0,
    type: 'com.amazon.coral.service#AccessDeniedException',
    messageMember: 'Message',
  },
  sqs: {
    status: 403,
    contentType: JSON_1_0,
    type: 'com.amazon.coral.service#AccessDeniedException',
    messageMember: 'message',
    queryError: 'AccessDenied;Sender',
  },
  kinesis: { status: 400, contentType: JSON_1_1, type: 'AccessDeniedException', messageMember: 'message' },
  events: { status: 400, contentType: JSON_1_1, type: 'AccessDeniedException', messageMember: 'message' },
  states: { status: 400, contentType: JSON_1_0, type: 'AccessDeniedException', messageMember: 'message' },
  secretsmanager: {
    status: 400,
    contentType: JSON_1_1,
    type: 'AccessDeniedException',
    messageMember: 'Message',
  },
  'cognito-idp': {
    status: 400,
    contentType: JSON_1_1,
    type: 'AccessDeniedException',
    messageMember: 'message',
  },
  ssm: { status: 400, contentType: JSON_1_1, type: 'AccessDeniedException', messageMember: 'message' },
};

/** The HTTP answer of a service's endpoint to a denied call. */
export function accessDeniedAnswer(service: Exclude<IamService, 'lambda'>, message: string): HttpAnswer {
  const shape = SHAPES[service];
  const body = JSON.stringify({ __type: shape.type, [shape.messageMember]: message });
  return {
    status: shape.status,
    headers: {
      'content-type': shape.contentType,
      'content-length': String(Buffer.byteLength(body)),
      'x-amzn-requestid': randomUUID(),
      'x-amzn-errortype': 'AccessDeniedException',
      ...(shape.queryError ? { 'x-amzn-query-error': shape.queryError } : {}),
    },
    body,
  };
}

/**
 * A denied call made in-process (a workflow task's): thrown as the SDK would throw the service's
 * answer, so the task names it as Step Functions does (`DynamoDB.AccessDeniedException`...).
 */
export class AccessDeniedError extends Error {
  override readonly name = 'AccessDeniedException';
  readonly $metadata: { httpStatusCode: number; requestId: string };

  constructor(service: IamService, message: string) {
    super(message);
    const status = service === 'lambda' ? 403 : SHAPES[service].status;
    this.$metadata = { httpStatusCode: status, requestId: randomUUID() };
  }
}
