#!/usr/bin/env node
// Checks, before a deployment, what would otherwise fail minutes into it, and says what to run:
//   1. AWS credentials (STS GetCallerIdentity),
//   2. the CDK bootstrap of the target account and region (its SSM version parameter).
// It uses the AWS CLI v2, which anyone deploying has for `aws sso login`; the repository does not
// depend on an AWS SDK client for this. Usage: node scripts/preflight.ts [--skip-bootstrap]
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The oldest bootstrap stack the synthesized templates accept (their CheckBootstrapVersion rule). */
const MIN_BOOTSTRAP_VERSION = 6;

export interface Target {
  readonly account: string;
  readonly region: string;
}

export class PreflightError extends Error {
  override readonly name = 'PreflightError';
}

type AwsResult = { ok: true; stdout: string } | { ok: false; stderr: string; missing: boolean };

function aws(args: string[]): AwsResult {
  const result = spawnSync('aws', args, { encoding: 'utf8', env: { ...process.env, AWS_PAGER: '' } });
  if (result.error) return { ok: false, stderr: result.error.message, missing: true };
  if (result.status !== 0) return { ok: false, stderr: result.stderr.trim(), missing: false };
  return { ok: true, stdout: result.stdout.trim() };
}

const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

/** The region a deploy goes to: the shell's (AWS_REGION, the profile's), else cdk.json's `region`. */
export function deploymentRegion(): string {
  const fromEnv = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const configured = aws(['configure', 'get', 'region']);
  if (configured.ok && configured.stdout) return configured.stdout;
  return String(cdkJson.context.region);
}

export function checkCredentials(): string {
  const identity = aws(['sts', 'get-caller-identity', '--output', 'json']);
  if (identity.ok) return (JSON.parse(identity.stdout) as { Account: string }).Account;
  if (identity.missing) {
    throw new PreflightError(
      'The AWS CLI v2 is needed to check your credentials before a deployment.\n' +
        'Install it (https://docs.aws.amazon.com/cli/latest/userguide/getting-started-install.html), then run\n' +
        '  aws configure sso        # once, to create a profile\n' +
        '  aws sso login --profile <profile> && export AWS_PROFILE=<profile>\n' +
        'and run this command again.',
    );
  }
  throw new PreflightError(
    `No usable AWS credentials (${identity.stderr.split('\n').at(-1)}).\n` +
      'Log in, then run this command again:\n' +
      '  aws sso login --profile <profile> && export AWS_PROFILE=<profile>\n' +
      '(first time: aws configure sso; with access keys: aws configure)',
  );
}

export function checkBootstrap({ account, region }: Target): void {
  const qualifier = String(cdkJson.context['@aws-cdk/core:bootstrapQualifier'] ?? 'hnb659fds');
  const bootstrap = `cd infra && npx cdk bootstrap aws://${account}/${region}`;
  const version = aws([
    'ssm',
    'get-parameter',
    '--name',
    `/cdk-bootstrap/${qualifier}/version`,
    '--region',
    region,
    '--query',
    'Parameter.Value',
    '--output',
    'text',
  ]);
  if (!version.ok) {
    const notFound = version.stderr.includes('ParameterNotFound');
    throw new PreflightError(
      notFound
        ? `Account ${account} is not bootstrapped for the CDK in ${region}. Run once:\n  ${bootstrap}`
        : `Could not read the CDK bootstrap version of ${account} in ${region}: ${version.stderr}\n` +
            `If the account is not bootstrapped yet, run once:\n  ${bootstrap}`,
    );
  }
  if (Number(version.stdout) < MIN_BOOTSTRAP_VERSION) {
    throw new PreflightError(
      `The CDK bootstrap of ${account} in ${region} is version ${version.stdout}; ${MIN_BOOTSTRAP_VERSION} or ` +
        `later is needed. Update it:\n  ${bootstrap}`,
    );
  }
}

/** Both checks; returns where the deployment will go. */
export function preflight(options: { bootstrap: boolean } = { bootstrap: true }): Target {
  const account = checkCredentials();
  const region = deploymentRegion();
  if (options.bootstrap) checkBootstrap({ account, region });
  return { account, region };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  try {
    const { account, region } = preflight({ bootstrap: !process.argv.includes('--skip-bootstrap') });
    console.error(`Preflight OK: account ${account}, region ${region}.`);
  } catch (error) {
    console.error(error instanceof PreflightError ? error.message : error);
    process.exit(1);
  }
}
