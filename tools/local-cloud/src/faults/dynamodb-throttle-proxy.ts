import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { LocalService } from '../contracts.ts';
import { forwardRequest } from '../kit/forward-request.ts';
import { serveOnLoopback } from '../kit/http-server.ts';
import type { FaultPlan } from './fault-plan.ts';

/**
 * A small HTTP proxy in front of dynalite that answers a share of data-plane calls the way DynamoDB
 * throttles: HTTP 400 with a ProvisionedThroughputExceededException body in AWS JSON 1.0. The SDK
 * treats it as a throttling error and retries with backoff; what its retries do not absorb reaches
 * the handler (and the SQS redelivery or the workflow's Retry behind it). Control-plane calls
 * (CreateTable, DescribeTable...) always pass, so the local cloud itself starts normally.
 */
const DATA_PLANE = new Set([
  'GetItem',
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'Query',
  'Scan',
  'BatchGetItem',
  'BatchWriteItem',
]);

export async function startDynamoDbThrottleProxy(target: string, faults: FaultPlan): Promise<LocalService> {
  const upstream = new URL(target);
  const server = createServer((request, response) => {
    const operation =
      String(request.headers['x-amz-target'] ?? '')
        .split('.')
        .at(-1) ?? '';
    if (DATA_PLANE.has(operation) && faults.fires('dynamodb-throttle', `DynamoDB ${operation} throttled`)) {
      request.resume();
      const body = JSON.stringify({
        __type: 'com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException',
        message:
          'The level of configured provisioned throughput for the table was exceeded. Consider increasing your provisioning level with the UpdateTable API.',
      });
      response.writeHead(400, {
        'content-type': 'application/x-amz-json-1.0',
        'content-length': Buffer.byteLength(body),
        'x-amzn-requestid': randomUUID(),
      });
      response.end(body);
      return;
    }
    forwardRequest(request, response, upstream);
  });
  const listening = await serveOnLoopback(server);
  return { endpoint: listening.endpoint, stop: () => listening.close() };
}
