import { GetParameterCommand, SSMClient } from '@aws-sdk/client-ssm';
import * as ssm from 'aws-cdk-lib/aws-ssm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalCloud, startLocalCloud } from '../../src/cloud.ts';
import { awsEnvironmentLines } from '../../src/command-line/banner.ts';
import { synthesizeIdentityStack } from '../fixtures/identity-stack.ts';
import { temporaryFolders } from '../fixtures/temporary-folders.ts';

/**
 * The template's SSM parameters on the local cloud, read with the real SDK from the endpoint the
 * banner names, as a client of a deployed stage reads them: the `export` lines it prints are all
 * a client needs.
 */
const folders = temporaryFolders();
const assemblyDir = folders.make('ssm-stack-');
const PARAMETER = '/identity-test/local/identity/user-pool/id';
const API_URL_PARAMETER = '/identity-test/local/identity/http-api/url';
let cloud: LocalCloud;

beforeAll(async () => {
  synthesizeIdentityStack(assemblyDir, ({ stack, pool, api }) => {
    new ssm.StringParameter(stack, 'UserPoolIdParameter', {
      parameterName: PARAMETER,
      stringValue: pool.userPoolId,
    });
    new ssm.StringParameter(stack, 'ApiUrlParameter', {
      parameterName: API_URL_PARAMETER,
      stringValue: api.url ?? '',
    });
  });
  cloud = await startLocalCloud({ assemblyDir, port: 0, log: () => undefined });
});

afterAll(async () => {
  await cloud.stop();
  folders.removeAll();
});

/** The variables the banner's `export NAME=value` lines set. */
function exported(lines: string): Record<string, string> {
  return Object.fromEntries(
    [...lines.matchAll(/^\s*export (\w+)=(\S+)$/gm)].map(([, name = '', value = '']) => [name, value]),
  );
}

describe("the local cloud's SSM parameters", () => {
  it("are served with the template's resolved values", async () => {
    const client = new SSMClient({
      endpoint: cloud.endpoints.ssm,
      region: cloud.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Parameter } = await client.send(new GetParameterCommand({ Name: PARAMETER }));
    client.destroy();

    expect(Parameter?.Value).toBe(cloud.identity.apiUserPool?.userPoolId);
  });

  it("name the local API where the template's parameter holds the API's URL", async () => {
    const client = new SSMClient({
      endpoint: cloud.endpoints.ssm,
      region: cloud.region,
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const { Parameter } = await client.send(new GetParameterCommand({ Name: API_URL_PARAMETER }));
    client.destroy();

    expect(Parameter?.Value).toBe(`${cloud.url}/`);
    expect((await fetch(`${Parameter?.Value}me`)).status).toBe(401);
  });

  it("are reached by an SDK client given nothing but the banner's export lines", async () => {
    const variables = exported(awsEnvironmentLines(cloud));
    expect(variables).toMatchObject({
      AWS_ENDPOINT_URL_SSM: cloud.endpoints.ssm,
      AWS_ENDPOINT_URL_DYNAMODB: cloud.endpoints.dynamodb,
      AWS_ENDPOINT_URL_SFN: cloud.endpoints.sfn,
      AWS_REGION: 'eu-west-1',
      AWS_ACCESS_KEY_ID: 'local',
    });
    const saved = { ...process.env };
    Object.assign(process.env, variables);
    try {
      const client = new SSMClient({});
      const { Parameter } = await client.send(new GetParameterCommand({ Name: PARAMETER }));
      client.destroy();
      expect(Parameter?.Value).toBe(cloud.identity.apiUserPool?.userPoolId);
    } finally {
      for (const name of Object.keys(variables)) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  });
});
