import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import { afterEach, describe, expect, it } from 'vitest';
import type { LogEntry } from '../../src/contracts.ts';
import {
  createSecretsManagerService,
  type LocalSecret,
  type SecretsManagerService,
  type SecretsManagerServiceOptions,
} from '../../src/secretsmanager/secrets-manager-service.ts';

const region = 'us-east-1';
const accountId = '000000000000';
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const name = 'serverless-commerce-local-bank-webhook';
const arn = `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-Ab12Cd`;
const webhookSecret: LocalSecret = { name, arn, value: 'c2VjcmV0LW9uZQ==' };

const started: { service: SecretsManagerService; client: SecretsManagerClient }[] = [];
const folders: string[] = [];
afterEach(async () => {
  for (const { service, client } of started.splice(0)) {
    client.destroy();
    await service.stop();
  }
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

async function start(overrides: Partial<SecretsManagerServiceOptions> = {}) {
  const logs: LogEntry[] = [];
  const service = await createSecretsManagerService({
    secrets: [webhookSecret],
    log: (entry) => logs.push(entry),
    region,
    accountId,
    ...overrides,
  });
  const client = new SecretsManagerClient({
    endpoint: service.endpoint,
    region,
    credentials,
    maxAttempts: 1,
  });
  started.push({ service, client });
  return { service, client, logs };
}

const persistDir = () => {
  const folder = mkdtempSync(join(tmpdir(), 'local-secretsmanager-'));
  folders.push(folder);
  return folder;
};

describe('the local Secrets Manager', () => {
  it('answers GetSecretValue for a secret by its name, its ARN and its ARN without the random suffix', async () => {
    const { client } = await start();
    const partialArn = arn.slice(0, -'-Ab12Cd'.length);
    for (const SecretId of [name, arn, partialArn]) {
      const answer = await client.send(new GetSecretValueCommand({ SecretId }));
      expect(answer).toMatchObject({
        ARN: arn,
        Name: name,
        SecretString: webhookSecret.value,
        VersionId: expect.any(String),
        VersionStages: ['AWSCURRENT'],
        CreatedDate: expect.any(Date),
      });
    }
  });

  it('refuses an unknown secret with ResourceNotFoundException and AWS message', async () => {
    const { client } = await start();
    for (const SecretId of [
      'no-such-secret',
      `${arn.slice(0, -6)}Zz99Zz`,
      arn.replace(region, 'eu-west-1'),
    ]) {
      const refused = client.send(new GetSecretValueCommand({ SecretId }));
      await expect(refused).rejects.toBeInstanceOf(ResourceNotFoundException);
      await expect(refused).rejects.toMatchObject({
        message: "Secrets Manager can't find the specified secret.",
        $metadata: { httpStatusCode: 400 },
      });
    }
  });

  it('rotates with PutSecretValue: the new version becomes AWSCURRENT and the one before it AWSPREVIOUS', async () => {
    const { client, service } = await start();
    const first = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const put = await client.send(new PutSecretValueCommand({ SecretId: arn, SecretString: 'c2Vjb25k' }));
    expect(put).toEqual(
      expect.objectContaining({
        ARN: arn,
        Name: name,
        VersionId: expect.any(String),
        VersionStages: ['AWSCURRENT'],
      }),
    );
    const current = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const previous = await client.send(
      new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' }),
    );
    expect(current).toMatchObject({ SecretString: 'c2Vjb25k', VersionId: put.VersionId });
    expect(previous).toMatchObject({
      SecretString: webhookSecret.value,
      VersionId: first.VersionId,
      VersionStages: ['AWSPREVIOUS'],
    });
    expect(service.currentValue(name)).toBe('c2Vjb25k');
    expect(service.currentValue(arn)).toBe('c2Vjb25k');
  });

  it('keeps a version that lost its labels readable by id, and leaves it out of DescribeSecret', async () => {
    const { client } = await start();
    const first = await client.send(new GetSecretValueCommand({ SecretId: name }));
    const second = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'dHdv' }));
    const third = await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'dGhyZWU=' }));
    const described = await client.send(new DescribeSecretCommand({ SecretId: name }));
    expect(described).toMatchObject({
      ARN: arn,
      Name: name,
      CreatedDate: expect.any(Date),
      LastChangedDate: expect.any(Date),
    });
    expect(described.VersionIdsToStages).toEqual({
      [second.VersionId as string]: ['AWSPREVIOUS'],
      [third.VersionId as string]: ['AWSCURRENT'],
    });
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionId: first.VersionId })),
    ).resolves.toMatchObject({ SecretString: webhookSecret.value, VersionStages: [] });
  });

  it('says which label or version it cannot find, as AWS does', async () => {
    const { client } = await start();
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSPREVIOUS",
    });
    const versionId = '00000000-0000-4000-8000-000000000000';
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionId: versionId })),
    ).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
    });
    const { VersionId } = await client.send(new GetSecretValueCommand({ SecretId: name }));
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionId, VersionStage: 'AWSPREVIOUS' })),
    ).rejects.toMatchObject({ name: 'InvalidRequestException' });
  });

  it('treats a PutSecretValue repeated with its token as the same version, and refuses another value under it', async () => {
    const { client } = await start();
    const ClientRequestToken = 'rotation-2025-03-12-00000000000000000';
    const put = () =>
      client.send(new PutSecretValueCommand({ SecretId: name, ClientRequestToken, SecretString: 'bmV3' }));
    const first = await put();
    await expect(put()).resolves.toMatchObject({ VersionId: first.VersionId, VersionStages: ['AWSCURRENT'] });
    await expect(
      client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })),
    ).resolves.toMatchObject({ SecretString: webhookSecret.value });
    await expect(
      client.send(
        new PutSecretValueCommand({ SecretId: name, ClientRequestToken, SecretString: 'b3RoZXI=' }),
      ),
    ).rejects.toBeInstanceOf(ResourceExistsException);
    await expect(client.send(new PutSecretValueCommand({ SecretId: name }))).rejects.toMatchObject({
      name: 'InvalidParameterException',
    });
  });

  it('moves only the labels a PutSecretValue names', async () => {
    const { client } = await start();
    const pending = await client.send(
      new PutSecretValueCommand({
        SecretId: name,
        SecretString: 'cGVuZGluZw==',
        VersionStages: ['AWSPENDING'],
      }),
    );
    expect(pending.VersionStages).toEqual(['AWSPENDING']);
    await expect(client.send(new GetSecretValueCommand({ SecretId: name }))).resolves.toMatchObject({
      SecretString: webhookSecret.value,
    });
  });

  it('carries binary values as the SDK sends them', async () => {
    const { client } = await start();
    const bytes = new Uint8Array([0, 1, 2, 250, 255]);
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretBinary: bytes }));
    const answer = await client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(answer.SecretString).toBeUndefined();
    expect(answer.SecretBinary).toEqual(bytes);
  });

  it('generates a configured secret without a value by its GenerateSecretString rules', async () => {
    const { client } = await start({
      secrets: [{ name, arn, generate: { passwordLength: 44, excludePunctuation: true } }],
    });
    const { SecretString = '' } = await client.send(new GetSecretValueCommand({ SecretId: name }));
    expect(SecretString).toMatch(/^[A-Za-z0-9]{44}$/);
    // 44 alphanumeric characters are valid base64: the webhook's signing key is their 33 bytes.
    expect(Buffer.from(SecretString, 'base64')).toHaveLength(33);
  });

  it('serves CreateSecret only when it accepts resource changes', async () => {
    const { client } = await start();
    await expect(
      client.send(new CreateSecretCommand({ Name: 'test-secret', SecretString: 'eA==' })),
    ).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });

  it('creates a secret with CreateSecret, under an ARN AWS would give it, and refuses its name twice', async () => {
    const { client } = await start({ acceptsResourceChanges: true });
    const created = await client.send(
      new CreateSecretCommand({ Name: 'tests/webhook', SecretString: 'eA==' }),
    );
    expect(created.ARN).toMatch(
      new RegExp(`^arn:aws:secretsmanager:${region}:${accountId}:secret:tests/webhook-[A-Za-z0-9]{6}$`),
    );
    await expect(client.send(new GetSecretValueCommand({ SecretId: created.ARN }))).resolves.toMatchObject({
      SecretString: 'eA==',
      VersionId: created.VersionId,
    });
    await expect(
      client.send(new CreateSecretCommand({ Name: 'tests/webhook', SecretString: 'eQ==' })),
    ).rejects.toMatchObject({
      name: 'ResourceExistsException',
      message: 'The operation failed because the secret tests/webhook already exists.',
    });
    await client.send(new CreateSecretCommand({ Name: 'tests/empty' }));
    await expect(client.send(new GetSecretValueCommand({ SecretId: 'tests/empty' }))).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
    });
  });

  it('keeps values and versions across a restart with persistDir, and never generates a kept secret again', async () => {
    const folder = persistDir();
    const generated: LocalSecret = { name, arn, generate: { passwordLength: 44, excludePunctuation: true } };
    const before = await start({ secrets: [generated], persistDir: folder, acceptsResourceChanges: true });
    const first = before.service.currentValue(name);
    await before.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'cm90YXRlZA==' }));
    await before.client.send(new CreateSecretCommand({ Name: 'tests/kept', SecretString: 'a2VwdA==' }));
    await before.service.stop();
    expect(statSync(join(folder, 'secretsmanager.json')).mode & 0o777).toBe(0o600);

    const after = await start({ secrets: [generated], persistDir: folder, acceptsResourceChanges: true });
    expect(after.service.currentValue(name)).toBe('cm90YXRlZA==');
    await expect(
      after.client.send(new GetSecretValueCommand({ SecretId: name, VersionStage: 'AWSPREVIOUS' })),
    ).resolves.toMatchObject({ SecretString: first });
    await expect(
      after.client.send(new GetSecretValueCommand({ SecretId: 'tests/kept' })),
    ).resolves.toMatchObject({
      SecretString: 'a2VwdA==',
    });
  });

  it('logs what changed by name and version, never a value', async () => {
    const { client, logs } = await start();
    await client.send(new PutSecretValueCommand({ SecretId: name, SecretString: 'dG9wLXNlY3JldA==' }));
    expect(logs).toEqual([
      expect.objectContaining({
        source: 'secretsmanager',
        level: 'INFO',
        message: expect.stringMatching(new RegExp(`^Secret ${name}: version [\\w-]+ is AWSCURRENT$`)),
      }),
    ]);
    expect(JSON.stringify(logs)).not.toContain('dG9wLXNlY3JldA==');
  });
});
