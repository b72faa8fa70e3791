/**
 * What IAM authorizes for one API call: the action, and the resource ARN(s) it acts on, read from the
 * request the way each service does (every table of a batch, the index of a Query, each entry's bus
 * of a PutEvents). An action whose resource a request does not name is authorized on `*`, as IAM
 * does for actions without resource-level permissions. An empty list: nothing IAM checks.
 */
export type IamService =
  | 'dynamodb'
  | 'sqs'
  | 'kinesis'
  | 'events'
  | 'states'
  | 'secretsmanager'
  | 'cognito-idp'
  | 'ssm'
  | 'lambda';

export interface RequestedAccess {
  /** `dynamodb:Query`: the service prefix and the IAM action, which is not always the operation. */
  action: string;
  resource: string;
}

export interface ResourceNames {
  region: string;
  accountId: string;
  /** The full ARN (with its 6-character suffix) of a secret named by name or partial ARN. */
  secretArn(secretId: string): string | undefined;
  /** The state machine whose execution a task token belongs to; undefined for an unknown token. */
  stateMachineOfTaskToken(token: string): string | undefined;
}

type Input = Record<string, unknown>;
type Reader = (operation: string, input: Input, names: ResourceNames) => RequestedAccess[];

const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const records = (value: unknown): Input[] =>
  Array.isArray(value)
    ? value.filter((item): item is Input => typeof item === 'object' && item !== null)
    : [];
const arnOf = (names: ResourceNames, service: string, resource: string) =>
  `arn:aws:${service}:${names.region}:${names.accountId}:${resource}`;

/** Batch operations are authorized as the single operation they repeat. */
const SQS_BATCHES: Record<string, string> = {
  SendMessageBatch: 'SendMessage',
  DeleteMessageBatch: 'DeleteMessage',
  ChangeMessageVisibilityBatch: 'ChangeMessageVisibility',
};

/** A transaction is authorized as the item operations it holds, table by table. */
const TRANSACT_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  ConditionCheck: 'ConditionCheckItem',
};

/** Cognito's operations that a user's tokens authorize, never IAM (sign-in, a user's own profile). */
const COGNITO_PUBLIC = new Set([
  'InitiateAuth',
  'RespondToAuthChallenge',
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'GetUser',
  'ChangePassword',
  'GlobalSignOut',
  'RevokeToken',
  'GetTokensFromRefreshToken',
  'UpdateUserAttributes',
  'DeleteUser',
  'DeleteUserAttributes',
  'VerifyUserAttribute',
  'GetUserAttributeVerificationCode',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
  'SetUserSettings',
  'ConfirmDevice',
  'ForgetDevice',
  'GetDevice',
  'ListDevices',
  'UpdateDeviceStatus',
  'UpdateAuthEventFeedback',
]);

const dynamodb: Reader = (operation, input, names) => {
  const table = (name: string) =>
    name.startsWith('arn:') ? name : arnOf(names, 'dynamodb', `table/${name}`);
  if (operation === 'BatchGetItem' || operation === 'BatchWriteItem') {
    const tables = Object.keys((input.RequestItems ?? {}) as Input);
    return tables.map((name) => ({ action: `dynamodb:${operation}`, resource: table(name) }));
  }
  if (operation === 'TransactGetItems' || operation === 'TransactWriteItems') {
    return records(input.TransactItems).flatMap((item) =>
      Object.entries(item).flatMap(([kind, request]) => {
        const name = text((request as Input | undefined)?.TableName);
        const action = TRANSACT_ACTIONS[kind];
        return action && name ? [{ action: `dynamodb:${action}`, resource: table(name) }] : [];
      }),
    );
  }
  const name = text(input.TableName);
  const index = text(input.IndexName);
  const resource = name ? `${table(name)}${index ? `/index/${index}` : ''}` : '*';
  return [{ action: `dynamodb:${operation}`, resource }];
};

const sqs: Reader = (operation, input, names) => {
  const action = `sqs:${SQS_BATCHES[operation] ?? operation}`;
  const url = text(input.QueueUrl);
  if (url) {
    const [account, queue] = new URL(url).pathname.split('/').filter(Boolean).slice(-2);
    return [{ action, resource: `arn:aws:sqs:${names.region}:${account}:${queue}` }];
  }
  const queueName = text(input.QueueName);
  const account = text(input.QueueOwnerAWSAccountId) ?? names.accountId;
  return [{ action, resource: queueName ? `arn:aws:sqs:${names.region}:${account}:${queueName}` : '*' }];
};

const kinesis: Reader = (operation, input, names) => {
  const name = text(input.StreamName);
  const resource = text(input.StreamARN) ?? (name ? arnOf(names, 'kinesis', `stream/${name}`) : '*');
  return [{ action: `kinesis:${operation}`, resource }];
};

const events: Reader = (operation, input, names) => {
  const action = `events:${operation}`;
  const bus = (name: string | undefined) =>
    name?.startsWith('arn:') ? name : arnOf(names, 'events', `event-bus/${name ?? 'default'}`);
  if (operation === 'PutEvents') {
    const buses = new Set(records(input.Entries).map((entry) => bus(text(entry.EventBusName))));
    return [...buses].map((resource) => ({ action, resource }));
  }
  const rule = text(input.Rule) ?? (operation.includes('Rule') ? text(input.Name) : undefined);
  if (rule) {
    const busName = text(input.EventBusName);
    const busPart = busName && busName !== 'default' ? `${busName.split('/').at(-1)}/` : '';
    return [{ action, resource: arnOf(names, 'events', `rule/${busPart}${rule}`) }];
  }
  const archive = text(input.ArchiveName);
  if (archive) return [{ action, resource: arnOf(names, 'events', `archive/${archive}`) }];
  const replay = text(input.ReplayName);
  if (replay) return [{ action, resource: arnOf(names, 'events', `replay/${replay}`) }];
  const busName = text(input.EventBusName) ?? (operation.includes('EventBus') ? text(input.Name) : undefined);
  return [{ action, resource: busName ? bus(busName) : '*' }];
};

const states: Reader = (operation, input, names) => {
  const action = `states:${operation}`;
  if (operation.startsWith('SendTask')) {
    // AWS authorizes a callback on the state machine whose execution issued the token; a token no
    // execution waits on is left to the service, which answers InvalidToken or TaskDoesNotExist.
    const machine = names.stateMachineOfTaskToken(String(input.taskToken ?? ''));
    return machine ? [{ action, resource: machine }] : [];
  }
  const resource = text(input.stateMachineArn) ?? text(input.executionArn) ?? text(input.activityArn) ?? '*';
  return [{ action, resource }];
};

const secretsmanager: Reader = (operation, input, names) => {
  const id = text(input.SecretId) ?? text(input.Name);
  const resource = id
    ? (names.secretArn(id) ?? (id.startsWith('arn:') ? id : arnOf(names, 'secretsmanager', `secret:${id}`)))
    : '*';
  return [{ action: `secretsmanager:${operation}`, resource }];
};

const cognito: Reader = (operation, input, names) => {
  if (COGNITO_PUBLIC.has(operation)) return [];
  const pool = text(input.UserPoolId);
  return [
    {
      action: `cognito-idp:${operation}`,
      resource: pool ? arnOf(names, 'cognito-idp', `userpool/${pool}`) : '*',
    },
  ];
};

/** Parameters by name (each of GetParameters' names), or the path of GetParametersByPath. */
const ssm: Reader = (operation, input, names) => {
  const parameter = (name: string) => arnOf(names, 'ssm', `parameter/${name.replace(/^\//, '')}`);
  const named = Array.isArray(input.Names) ? input.Names.flatMap((name) => text(name) ?? []) : [];
  const one = text(input.Name) ?? text(input.Path);
  const resources = one ? [parameter(one)] : named.map(parameter);
  return (resources.length > 0 ? resources : ['*']).map((resource) => ({
    action: `ssm:${operation}`,
    resource,
  }));
};

/** The Lambda API as a workflow's task calls it: Invoke, on the function ARN as given (qualifier kept). */
const lambda: Reader = (operation, input, names) => {
  const name = text(input.FunctionName) ?? '';
  const resource = name.startsWith('arn:') ? name : arnOf(names, 'lambda', `function:${name}`);
  return [{ action: operation === 'Invoke' ? 'lambda:InvokeFunction' : `lambda:${operation}`, resource }];
};

const READERS: Record<IamService, Reader> = {
  dynamodb,
  sqs,
  kinesis,
  events,
  states,
  secretsmanager,
  'cognito-idp': cognito,
  ssm,
  lambda,
};

export function requestedAccess(
  service: IamService,
  operation: string,
  input: Input,
  names: ResourceNames,
): RequestedAccess[] {
  return READERS[service](operation, input, names);
}
