import { DescribeStateMachineCommand, ListStateMachinesCommand, SFNClient } from '@aws-sdk/client-sfn';
import type { LocalCloud } from '@shop/local-cloud';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestCloud } from './e2e-support.ts';

let cloud: LocalCloud;
let sfn: SFNClient;

beforeAll(async () => {
  cloud = await startTestCloud(() => undefined);
  sfn = new SFNClient({
    region: 'eu-west-1',
    endpoint: cloud.endpoints.sfn,
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
});
afterAll(() => cloud?.stop());

describe('the payment workflow, as a Step Functions client finds it on the local cloud', () => {
  it('is listed, and described with the role, logging and tracing of the template', async () => {
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({}));
    const listed = stateMachines.find((machine) => machine.name?.endsWith('-payment-workflow'));
    expect(listed).toMatchObject({
      type: 'STANDARD',
      stateMachineArn: expect.stringMatching(/^arn:aws:states:/),
    });

    const described = await sfn.send(
      new DescribeStateMachineCommand({ stateMachineArn: listed?.stateMachineArn }),
    );

    expect(described).toMatchObject({ name: listed?.name, status: 'ACTIVE', type: 'STANDARD' });
    expect(JSON.parse(described.definition ?? '{}')).toMatchObject({ StartAt: expect.any(String) });
    expect(described.roleArn).toMatch(/^arn:aws:iam::\d{12}:role\//);
    expect(described.roleArn).not.toMatch(/-local$/);
    expect(described.tracingConfiguration).toEqual({ enabled: true });
    expect(described.loggingConfiguration).toMatchObject({
      level: expect.any(String),
      destinations: [{ cloudWatchLogsLogGroup: { logGroupArn: expect.stringMatching(/^arn:aws:logs:/) } }],
    });
  });
});
