import type { LocalCloud } from '../cloud.ts';
import { type FaultPlan, formatFaults } from '../faults/fault-plan.ts';
import type { UserPoolTarget } from '../identity/local-identity.ts';
import { endpointEnvironment, type LocalEndpoints } from '../startup/services.ts';

/**
 * What the command line tells a person and a parent process once the cloud runs: the summary of
 * its URL, counts and endpoints, and one JSON line a parent process waits for (`readyLine`).
 */
export function cloudSummary(
  cloud: LocalCloud,
  options: {
    faults?: FaultPlan;
    /** What the flow page shows, after its URL. */
    pageHint?: string;
    /** Rows of the application's, after the user pool: `[label, text]`. */
    rows?: [string, string][];
  } = {},
): string {
  const { model, endpoints: at } = cloud;
  const userPool = cloud.identity.apiUserPool;
  const rows: [string, string][] = [
    [
      'Flow page',
      `${cloud.url}/   (${options.pageHint ?? 'open it in a browser: watch activity move through the system'})`,
    ],
    ['HTTP API', cloud.url],
    [
      'Functions',
      `${model.functions.length}, queues ${model.queues.length}, tables ${model.tables.length}, workflows ${model.stateMachines.length}`,
    ],
    ['Emulators', `DynamoDB ${at.dynamodb}  SQS ${at.sqs}  Kinesis ${at.kinesis}`],
    ['', `EventBridge ${at.eventbridge}  Step Functions ${at.sfn}`],
    ['', `Cognito ${at.cognito}  Secrets Manager ${at.secretsmanager}`],
    ['', `SSM ${at.ssm}  Lambda (event source mappings) ${at.lambda}`],
    ...(userPool
      ? [
          [
            'User pool',
            `${userPool.userPoolId}, app client ${userPool.clientId} (the API's JWT authorizer trusts them)`,
          ] as [string, string],
        ]
      : []),
    ...scheduleRows(cloud),
    [
      'IAM',
      cloud.iamEnforced
        ? "enforced: each function's and workflow's calls are checked against its role (denials at WARN)"
        : 'not enforced (--no-iam): every call is allowed, whatever the roles grant',
    ],
    ...(options.rows ?? []),
    ...(options.faults
      ? [
          ['Faults', `${formatFaults(options.faults.rates)} (seed ${options.faults.seed})`] as [
            string,
            string,
          ],
        ]
      : []),
  ];
  return `${rows.map(([label, text]) => `  ${label.padEnd(14)} ${text}`).join('\n')}

${awsEnvironmentLines(cloud)}`;
}

/**
 * What points the AWS CLI, an SDK or the end-to-end suite at this cloud: the standard endpoint
 * variables, its region, and the dummy credentials it takes.
 */
export function awsEnvironment(cloud: LocalCloud): Record<string, string> {
  return {
    ...endpointEnvironment(cloud.endpoints),
    AWS_REGION: cloud.region,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
  };
}

/** The same as `export` lines a person pastes into a shell. */
export function awsEnvironmentLines(cloud: LocalCloud): string {
  const exports = Object.entries(awsEnvironment(cloud)).map(([name, value]) => `  export ${name}=${value}`);
  return `Point the AWS CLI or an SDK at it (paste into a shell):\n${exports.join('\n')}`;
}

/** Each scheduled rule with its next run, and how to run one now. */
function scheduleRows(cloud: LocalCloud): [string, string][] {
  const schedules = cloud.eventBridge.schedules.list();
  if (schedules.length === 0) return [];
  const width = Math.max(...schedules.map(({ name }) => name.length));
  return [
    ...schedules.map(({ name, expression, nextRun }, index): [string, string] => [
      index === 0 ? 'Schedules' : '',
      `${name.padEnd(width)}  ${expression}${nextRun ? `, next at ${nextRun}` : ''}`,
    ]),
    ['', `run one now: curl -X POST ${cloud.url}/_local/schedules/<rule name>/run`],
  ];
}

/** The line a parent process waits for on the command's standard output: one JSON object. */
export interface ReadyLine {
  ready: true;
  url: string;
  endpoints: LocalEndpoints;
  /** The pool and app client the API's JWT authorizer trusts, when a route has one. */
  apiUserPool?: UserPoolTarget;
  /** The variables that point the AWS SDK and CLI at the cloud, as the banner's export lines set them. */
  environment: Record<string, string>;
}

export function readyLine(cloud: LocalCloud): string {
  const line: ReadyLine = {
    ready: true,
    url: cloud.url,
    endpoints: cloud.endpoints,
    ...(cloud.identity.apiUserPool ? { apiUserPool: cloud.identity.apiUserPool } : {}),
    environment: awsEnvironment(cloud),
  };
  return JSON.stringify(line);
}

/** The ready line, when `line` is one (log lines printed with --json are JSON too). */
export function parseReadyLine(line: string): ReadyLine | undefined {
  if (!line.startsWith('{"ready":true')) return undefined;
  return JSON.parse(line) as ReadyLine;
}
