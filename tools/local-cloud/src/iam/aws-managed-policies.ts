import type { PolicyDocument } from './policy-evaluator.ts';

/**
 * The AWS managed policies a Lambda function's or a workflow's role commonly carries, as AWS
 * publishes them. A role with any other managed policy is refused at start: its grants are unknown
 * here, and guessing them would pass calls AWS denies, or deny calls it passes.
 */
const LOGS = ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'];

const allow = (...actions: string[]): PolicyDocument => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: actions, Resource: '*' }],
});

const AWS_MANAGED: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': allow(...LOGS),
  'service-role/AWSLambdaSQSQueueExecutionRole': allow(
    'sqs:ReceiveMessage',
    'sqs:DeleteMessage',
    'sqs:GetQueueAttributes',
    ...LOGS,
  ),
  AWSXRayDaemonWriteAccess: allow(
    'xray:PutTraceSegments',
    'xray:PutTelemetryRecords',
    'xray:GetSamplingRules',
    'xray:GetSamplingTargets',
    'xray:GetSamplingStatisticSummaries',
  ),
};

/** The document of an AWS managed policy by its ARN (`arn:aws:iam::aws:policy/<path/name>`), if known. */
export function awsManagedPolicy(arn: string): PolicyDocument | undefined {
  const match = /^arn:aws[a-z-]*:iam::aws:policy\/(.+)$/.exec(arn);
  return match?.[1] ? AWS_MANAGED[match[1]] : undefined;
}
