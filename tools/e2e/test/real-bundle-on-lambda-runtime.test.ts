import { fileURLToPath } from 'node:url';
import type { InvokeResult, LogEntry } from '@shop/local-cloud';
import { createLambdaRuntime, type LambdaRuntime } from '@shop/local-cloud/lambda/lambda-runtime';
import { httpEvent } from '@shop/testing/events';
import { eventually } from '@shop/testing/eventually';
import { createTestTable } from '@shop/testing/resources';
import { afterAll, describe, expect, it } from 'vitest';

/** One of this application's bundles, as `npm run build` writes it, on the engine's Lambda runtime. */
const getInvoiceBundle = fileURLToPath(
  new URL('../../../apps/invoices/dist/get-invoice/index.mjs', import.meta.url),
);

const runtimes: LambdaRuntime[] = [];
afterAll(() => Promise.all(runtimes.map((runtime) => runtime.stop())));

function payloadOf<T>(result: InvokeResult): T {
  if (!result.ok)
    throw new Error(`Expected success, got ${result.error.errorType}: ${result.error.errorMessage}`);
  return result.payload as T;
}

describe('a real bundle on the local Lambda runtime', () => {
  it('runs unmodified: get-invoice answers 404 for an unknown invoice and logs it through Powertools', async () => {
    const tableName = await createTestTable({ envVar: 'INVOICES_TABLE_NAME', partitionKey: 'invoiceId' });
    const logs: LogEntry[] = [];
    const runtime = createLambdaRuntime({
      functions: [
        {
          name: 'GetInvoiceFunction',
          handlerFile: getInvoiceBundle,
          handlerExport: 'handler',
          timeoutSeconds: 5,
          memoryMb: 256,
          environment: {
            INVOICES_TABLE_NAME: tableName,
            POWERTOOLS_SERVICE_NAME: 'invoices',
            POWERTOOLS_LOG_LEVEL: 'INFO',
            POWERTOOLS_METRICS_NAMESPACE: 'ServerlessCommerce',
          },
        },
      ],
      baseEnvironment: {
        AWS_REGION: process.env.AWS_REGION ?? 'us-east-1',
        AWS_ACCESS_KEY_ID: 'local',
        AWS_SECRET_ACCESS_KEY: 'local',
        AWS_ENDPOINT_URL_DYNAMODB: process.env.AWS_ENDPOINT_URL_DYNAMODB ?? '',
        AWS_ENDPOINT_URL_SQS: process.env.AWS_ENDPOINT_URL_SQS ?? '',
      },
      log: (entry) => logs.push(entry),
      logLevel: 'DEBUG',
    });
    runtimes.push(runtime);
    const event = httpEvent({
      method: 'GET',
      route: '/invoices/{invoiceId}',
      pathParameters: { invoiceId: 'inv_never_issued' },
      customerId: 'a-signed-in-customer',
    });

    const response = payloadOf<{ statusCode: number; body: string }>(
      await runtime.invoke('GetInvoiceFunction', event),
    );

    expect(response.statusCode).toBe(404);
    expect(JSON.parse(response.body)).toEqual({ error: { code: 'not_found', message: expect.any(String) } });
    const refused = await eventually(
      async () =>
        logs.find((entry) => entry.source === 'GetInvoiceFunction' && entry.message === 'Request refused'),
      (line) => line !== undefined,
    );
    expect(refused).toMatchObject({ level: 'INFO', correlationId: event.requestContext.requestId });
    expect(refused?.fields).toMatchObject({
      service: 'invoices',
      function_name: 'GetInvoiceFunction',
      status: 404,
    });
  });
});
