import {
  GetParameterCommand,
  GetParametersByPathCommand,
  GetParametersCommand,
  ParameterNotFound,
  SSMClient,
} from '@aws-sdk/client-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LocalService } from '../../src/contracts.ts';
import { createSsmService, pointParametersAtLocalApi } from '../../src/ssm/ssm-service.ts';

const region = 'us-east-1';
const accountId = '000000000000';
const parameters = new Map([
  ['/app/local/data/orders-table/name', 'app-local-orders'],
  ['/app/local/data/orders-table/arn', `arn:aws:dynamodb:${region}:${accountId}:table/app-local-orders`],
  ['/app/local/identity/user-pool/id', 'us-east-1_local'],
  ['/app/other/data/orders-table/name', 'app-other-orders'],
  ...Array.from(
    { length: 12 },
    (_, index) => [`/many/p${String(index).padStart(2, '0')}`, `v${index}`] as const,
  ),
]);

let service: LocalService;
let ssm: SSMClient;
beforeAll(async () => {
  service = await createSsmService({ parameters, log: () => undefined, region, accountId });
  ssm = new SSMClient({
    endpoint: service.endpoint,
    region,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 1,
  });
});
afterAll(async () => {
  ssm.destroy();
  await service.stop();
});

describe('the local SSM endpoint', () => {
  it("answers GetParameter with the template parameter's value, type and ARN", async () => {
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: '/app/local/data/orders-table/name' }),
    );

    expect(Parameter).toMatchObject({
      Name: '/app/local/data/orders-table/name',
      Value: 'app-local-orders',
      Type: 'String',
      Version: 1,
      ARN: `arn:aws:ssm:${region}:${accountId}:parameter/app/local/data/orders-table/name`,
    });
  });

  it('answers an unknown name with ParameterNotFound, as AWS does', async () => {
    await expect(ssm.send(new GetParameterCommand({ Name: '/app/local/nothing' }))).rejects.toBeInstanceOf(
      ParameterNotFound,
    );
  });

  it('answers GetParameters with the values it has and the names it has not', async () => {
    const answer = await ssm.send(
      new GetParametersCommand({ Names: ['/app/local/identity/user-pool/id', '/app/local/missing'] }),
    );

    expect(answer.Parameters?.map(({ Name, Value }) => ({ Name, Value }))).toEqual([
      { Name: '/app/local/identity/user-pool/id', Value: 'us-east-1_local' },
    ]);
    expect(answer.InvalidParameters).toEqual(['/app/local/missing']);
  });

  it("reads a stage's parameters by path, recursively, and no other stage's", async () => {
    const { Parameters = [] } = await ssm.send(
      new GetParametersByPathCommand({ Path: '/app/local', Recursive: true }),
    );

    expect(Parameters.map(({ Name }) => Name).sort()).toEqual([
      '/app/local/data/orders-table/arn',
      '/app/local/data/orders-table/name',
      '/app/local/identity/user-pool/id',
    ]);
  });

  it('reads only the level below the path without Recursive', async () => {
    const { Parameters = [] } = await ssm.send(new GetParametersByPathCommand({ Path: '/app/local/data' }));

    expect(Parameters).toEqual([]);
  });

  it('pages GetParametersByPath ten at a time with a NextToken', async () => {
    const first = await ssm.send(new GetParametersByPathCommand({ Path: '/many' }));
    const second = await ssm.send(
      new GetParametersByPathCommand({ Path: '/many', NextToken: first.NextToken }),
    );

    expect(first.Parameters).toHaveLength(10);
    expect(second.Parameters?.map(({ Value }) => Value)).toEqual(['v10', 'v11']);
    expect(second.NextToken).toBeUndefined();
  });
});

describe("a parameter holding an HTTP API's URL", () => {
  it('is pointed at the local API, its stage path kept, and no other value is touched', () => {
    const held = new Map([
      ['/app/local/orders/http-api/url', 'https://httpapi1a2.execute-api.eu-west-1.amazonaws.com/'],
      ['/app/local/orders/v1/url', 'https://abc123.execute-api.eu-west-1.amazonaws.com/v1'],
      ['/app/local/data/queue/url', 'http://127.0.0.1:4566/000000000000/queue'],
    ]);
    pointParametersAtLocalApi(held, 'http://127.0.0.1:3000');

    expect(Object.fromEntries(held)).toEqual({
      '/app/local/orders/http-api/url': 'http://127.0.0.1:3000/',
      '/app/local/orders/v1/url': 'http://127.0.0.1:3000/v1',
      '/app/local/data/queue/url': 'http://127.0.0.1:4566/000000000000/queue',
    });
  });
});
