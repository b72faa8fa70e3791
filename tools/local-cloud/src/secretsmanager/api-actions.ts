import { randomUUID } from 'node:crypto';
import { type ApiAction, AwsApiError } from '../kit/json-protocol-server.ts';
import type { ServiceLog } from '../kit/service-log.ts';
import {
  AWSCURRENT,
  type SecretStore,
  type SecretValue,
  type SecretVersion,
  type StoredSecret,
  sameValue,
  secretArn,
} from './secret-store.ts';

/**
 * The Secrets Manager API actions the local endpoint serves, with AWS's inputs, outputs and error
 * codes (`ResourceNotFoundException`, `ResourceExistsException`, `InvalidParameterException`...).
 */
export interface ApiContext {
  store: SecretStore;
  region: string;
  accountId: string;
  /** Names and version ids only: a value is never logged. */
  log: ServiceLog;
}

/** AWS's limits: a value of at most 65,536 bytes, a name of 512 characters of a small alphabet. */
const MAX_VALUE_BYTES = 65_536;
const NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const TOKEN = /^.{32,64}$/s;

const invalid = (message: string) => new AwsApiError('InvalidParameterException', message);
const notFound = (message = "Secrets Manager can't find the specified secret.") =>
  new AwsApiError('ResourceNotFoundException', message);

export function apiActions(context: ApiContext): Record<string, ApiAction> {
  const secretOf = (input: Input) => secretNamed(context.store, input.SecretId);
  return {
    GetSecretValue: (input) => getSecretValue(secretOf(input), input),
    PutSecretValue: (input) => putSecretValue(context, secretOf(input), input),
    DescribeSecret: (input) => describeSecret(secretOf(input)),
    CreateSecret: (input) => createSecret(context, input),
  };
}

type Input = Record<string, unknown>;

function secretNamed(store: SecretStore, id: unknown): StoredSecret {
  if (typeof id !== 'string' || id.length < 1 || id.length > 2048) {
    throw invalid('SecretId must be a name or ARN of 1 to 2048 characters');
  }
  const secret = store.find(id);
  if (!secret) throw notFound();
  return secret;
}

function getSecretValue(secret: StoredSecret, input: Input) {
  const found = versionOf(secret, optionalText(input, 'VersionId'), optionalText(input, 'VersionStage'));
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: found.versionId,
    ...(found.secretString === undefined
      ? { SecretBinary: found.secretBinary }
      : { SecretString: found.secretString }),
    VersionStages: found.stages,
    CreatedDate: new Date(found.createdDate),
  };
}

function putSecretValue(context: ApiContext, secret: StoredSecret, input: Input) {
  const value = secretValueOf(input, 'required');
  const versionId = tokenOf(input);
  const stages = stagesOf(input);
  const existing = secret.versions.find((candidate) => candidate.versionId === versionId);
  if (existing) {
    // A repeat of the same request (the SDK retries with the same token): nothing changes.
    if (!sameValue(existing, value)) {
      throw new AwsApiError(
        'ResourceExistsException',
        "You can't modify an existing version, you can only create a new version.",
      );
    }
    return {
      ARN: secret.arn,
      Name: secret.name,
      VersionId: existing.versionId,
      VersionStages: existing.stages,
    };
  }
  const added = context.store.addVersion(secret, versionId, value, stages);
  context.log.info(`Secret ${secret.name}: version ${added.versionId} is ${added.stages.join(', ')}`);
  return { ARN: secret.arn, Name: secret.name, VersionId: added.versionId, VersionStages: added.stages };
}

function describeSecret(secret: StoredSecret) {
  const labelled = secret.versions.filter((candidate) => candidate.stages.length > 0);
  return {
    ARN: secret.arn,
    Name: secret.name,
    ...(secret.description === undefined ? {} : { Description: secret.description }),
    CreatedDate: new Date(secret.createdDate),
    LastChangedDate: new Date(secret.lastChangedDate),
    // Versions no label holds are deprecated, and AWS leaves them out here.
    VersionIdsToStages: Object.fromEntries(labelled.map((found) => [found.versionId, found.stages])),
  };
}

function createSecret(context: ApiContext, input: Input) {
  const name = input.Name;
  if (typeof name !== 'string' || !NAME.test(name)) {
    throw invalid('Invalid name. Must be 1 to 512 of letters, digits and /_+=.@-');
  }
  if (context.store.byName(name)) {
    throw new AwsApiError(
      'ResourceExistsException',
      `The operation failed because the secret ${name} already exists.`,
    );
  }
  const value = secretValueOf(input, 'optional');
  const versionId = tokenOf(input);
  const description = optionalText(input, 'Description');
  const created = context.store.create(
    {
      arn: secretArn(name, context.region, context.accountId),
      name,
      ...(description ? { description } : {}),
    },
    value,
    versionId,
  );
  context.log.info(`Secret ${name} created${value ? `, version ${versionId} AWSCURRENT` : ' with no value'}`);
  return { ARN: created.arn, Name: created.name, ...(value ? { VersionId: versionId } : {}) };
}

/** The version a GetSecretValue names: by id, by label (AWSCURRENT when neither), or by both at once. */
function versionOf(secret: StoredSecret, versionId?: string, stage?: string): SecretVersion {
  if (versionId !== undefined) {
    const found = secret.versions.find((candidate) => candidate.versionId === versionId);
    if (!found) {
      throw notFound(`Secrets Manager can't find the specified secret value for VersionId: ${versionId}`);
    }
    if (stage !== undefined && !found.stages.includes(stage)) {
      throw new AwsApiError(
        'InvalidRequestException',
        'You provided a VersionStage that is not associated to the provided VersionId.',
      );
    }
    return found;
  }
  const label = stage ?? AWSCURRENT;
  const found = secret.versions.find((candidate) => candidate.stages.includes(label));
  if (!found)
    throw notFound(`Secrets Manager can't find the specified secret value for staging label: ${label}`);
  return found;
}

function secretValueOf(input: Record<string, unknown>, presence: 'required'): SecretValue;
function secretValueOf(input: Record<string, unknown>, presence: 'optional'): SecretValue | undefined;
function secretValueOf(
  input: Record<string, unknown>,
  presence: 'required' | 'optional',
): SecretValue | undefined {
  const { SecretString: text, SecretBinary: binary } = input;
  if (text !== undefined && binary !== undefined) {
    throw invalid('You must provide either SecretString or SecretBinary, not both.');
  }
  if (text === undefined && binary === undefined) {
    if (presence === 'optional') return undefined;
    throw invalid('You must provide either SecretString or SecretBinary.');
  }
  const value = text ?? binary;
  if (typeof value !== 'string')
    throw invalid('SecretString and SecretBinary must be strings (binary in base64)');
  const bytes = text !== undefined ? Buffer.byteLength(value) : Buffer.from(value, 'base64').length;
  if (bytes > MAX_VALUE_BYTES) throw invalid(`A secret value is at most ${MAX_VALUE_BYTES} bytes`);
  return text !== undefined ? { secretString: value } : { secretBinary: value };
}

/** The version id: the request's ClientRequestToken (the SDK fills one in), or a new UUID. */
function tokenOf(input: Record<string, unknown>): string {
  const token = input.ClientRequestToken;
  if (token === undefined) return randomUUID();
  if (typeof token !== 'string' || !TOKEN.test(token)) {
    throw invalid('ClientRequestToken must be 32 to 64 characters');
  }
  return token;
}

function stagesOf(input: Record<string, unknown>): string[] {
  const stages = input.VersionStages;
  if (stages === undefined) return [AWSCURRENT];
  if (
    !Array.isArray(stages) ||
    stages.length < 1 ||
    stages.length > 20 ||
    !stages.every((stage) => typeof stage === 'string' && stage.length >= 1 && stage.length <= 256)
  ) {
    throw invalid('VersionStages must be 1 to 20 labels of 1 to 256 characters');
  }
  return [...new Set(stages as string[])];
}

function optionalText(input: Record<string, unknown>, field: string): string | undefined {
  const value = input[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw invalid(`${field} must be a non-empty string`);
  return value;
}
