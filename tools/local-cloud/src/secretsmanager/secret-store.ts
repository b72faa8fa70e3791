import { randomInt, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The secrets of the local Secrets Manager and their versions, each version carrying its staging
 * labels (AWSCURRENT, AWSPREVIOUS, ...) as on AWS. With a folder to persist to, every change is
 * written there before it is acknowledged, as one small JSON file replaced in one rename.
 */
export interface SecretVersion {
  versionId: string;
  /** One of the two, as on AWS. */
  secretString?: string;
  /** Base64, as the API carries it. */
  secretBinary?: string;
  stages: string[];
  createdDate: string;
}

export interface StoredSecret {
  arn: string;
  name: string;
  description?: string;
  createdDate: string;
  lastChangedDate: string;
  versions: SecretVersion[];
}

export type SecretValue = { secretString: string } | { secretBinary: string };

export const AWSCURRENT = 'AWSCURRENT';
export const AWSPREVIOUS = 'AWSPREVIOUS';
/** AWS keeps up to 100 versions of a secret, dropping the oldest versions that no label holds. */
const MAX_VERSIONS = 100;
const FILE_NAME = 'secretsmanager.json';
const ARN_SUFFIX_CHARACTERS = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/** `arn:aws:secretsmanager:<region>:<account>:secret:<name>-<6 random characters>`, as AWS names it. */
export function secretArn(name: string, region: string, accountId: string): string {
  const suffix = Array.from({ length: 6 }, () => ARN_SUFFIX_CHARACTERS[randomInt(62)]).join('');
  return `arn:aws:secretsmanager:${region}:${accountId}:secret:${name}-${suffix}`;
}

export class SecretStore {
  private readonly secrets: StoredSecret[];
  private readonly file: string | undefined;

  private constructor(secrets: StoredSecret[], file: string | undefined) {
    this.secrets = secrets;
    this.file = file;
  }

  /** The secrets a previous run kept in `persistDir`, or none. */
  static open(persistDir: string | undefined): SecretStore {
    if (!persistDir) return new SecretStore([], undefined);
    mkdirSync(persistDir, { recursive: true });
    const file = join(persistDir, FILE_NAME);
    if (!existsSync(file)) return new SecretStore([], file);
    try {
      const { secrets } = JSON.parse(readFileSync(file, 'utf8')) as { secrets: StoredSecret[] };
      return new SecretStore(secrets, file);
    } catch (error) {
      throw new Error(`${file} is not the local Secrets Manager's file: ${(error as Error).message}`);
    }
  }

  /**
   * By name, by full ARN, or by partial ARN (the ARN without its random suffix), in that order: as
   * AWS resolves a SecretId.
   */
  find(secretId: string): StoredSecret | undefined {
    return (
      this.secrets.find((secret) => secret.arn === secretId || secret.name === secretId) ??
      (secretId.startsWith('arn:')
        ? this.secrets.find(
            (secret) => secret.arn.startsWith(`${secretId}-`) && secret.arn.length === secretId.length + 7,
          )
        : undefined)
    );
  }

  byName(name: string): StoredSecret | undefined {
    return this.secrets.find((secret) => secret.name === name);
  }

  /** Adds a secret, with its first version (AWSCURRENT) when it has a value. */
  create(
    secret: { arn: string; name: string; description?: string },
    value: SecretValue | undefined,
    versionId: string = randomUUID(),
  ): StoredSecret {
    const now = new Date().toISOString();
    const created: StoredSecret = { ...secret, createdDate: now, lastChangedDate: now, versions: [] };
    if (value) created.versions.push(version(versionId, value, [AWSCURRENT]));
    this.secrets.push(created);
    this.save();
    return created;
  }

  /**
   * Adds a version carrying `stages`, which leave the versions that held them. A version that takes
   * AWSCURRENT passes AWSPREVIOUS to the one that held AWSCURRENT: how a rotation ends on AWS.
   */
  addVersion(
    secret: StoredSecret,
    versionId: string,
    value: SecretValue,
    stages: readonly string[],
  ): SecretVersion {
    const added = version(versionId, value, []);
    const previous = current(secret);
    for (const stage of stages) {
      for (const other of secret.versions) other.stages = other.stages.filter((label) => label !== stage);
      added.stages.push(stage);
    }
    if (stages.includes(AWSCURRENT) && previous) {
      for (const other of secret.versions)
        other.stages = other.stages.filter((label) => label !== AWSPREVIOUS);
      previous.stages.push(AWSPREVIOUS);
    }
    secret.versions.push(added);
    while (secret.versions.length > MAX_VERSIONS) {
      const oldest = secret.versions.findIndex((candidate) => candidate.stages.length === 0);
      if (oldest < 0) break;
      secret.versions.splice(oldest, 1);
    }
    secret.lastChangedDate = added.createdDate;
    this.save();
    return added;
  }

  /** Replaces what a previous run knew of a configured secret's name and ARN (the values stay). */
  adopt(secret: StoredSecret, configured: { arn: string }): void {
    if (secret.arn === configured.arn) return;
    secret.arn = configured.arn;
    this.save();
  }

  private save(): void {
    if (!this.file) return;
    const next = `${this.file}.next`;
    // Readable by the developer only: the file holds the values.
    writeFileSync(next, `${JSON.stringify({ secrets: this.secrets }, null, 2)}\n`, { mode: 0o600 });
    renameSync(next, this.file);
  }
}

export function current(secret: StoredSecret): SecretVersion | undefined {
  return secret.versions.find((candidate) => candidate.stages.includes(AWSCURRENT));
}

export function sameValue(version: SecretVersion, value: SecretValue): boolean {
  return 'secretString' in value
    ? version.secretString === value.secretString
    : version.secretBinary === value.secretBinary;
}

function version(versionId: string, value: SecretValue, stages: string[]): SecretVersion {
  return { versionId, ...value, stages, createdDate: new Date().toISOString() };
}
