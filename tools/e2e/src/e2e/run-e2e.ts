import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { SSMClient } from '@aws-sdk/client-ssm';
import cdkJson from '@shop/infra/cdk.json' with { type: 'json' };
import { startVitest } from 'vitest/node';
import { repositoryRoot } from '../prepare-assembly.ts';
import { startLocalTarget } from '../target/local-target.ts';
import { resolveStage, type Target, TargetError } from '../target/target.ts';
import { compareReports, type ParityReport, readReport, writeReport } from './report.ts';

/**
 * `npm run e2e`: the end-to-end scenarios (tools/e2e/scenarios) against a target, through vitest's
 * Node API. The target is resolved here, once, and given to the scenario files: they reach it
 * only through its API and the SDK, the same way on every target.
 */
export const USAGE = `npm run e2e -- [target] [options]
Targets (default: a local cloud the suite starts and stops, as npm start runs it):
  --stage NAME        a deployed stage: its API URL, user pool, webhook secret and tables read
                      from its SSM parameters and Secrets Manager, with your AWS credentials
  --url URL           the API at URL, e.g. a local cloud started with npm start: paste the
                      export lines of its banner first (with --stage, that stage's API elsewhere)
  --region REGION     the stage's region (default: AWS_REGION, your profile's, then cdk.json's)
  --assembly DIR      the local cloud runs this synthesized assembly (no build, no synth)
Options:
  --only A,B          only the scenarios whose names contain A or B (e.g. --only tok_visa,"bank transfer")
  --skip-slow         leave out the scenarios that wait out the workflow's retries
  --report FILE       write the parity report: each scenario's outcome and its orders' events
  --compare A B       compare two reports; exits 1 and says where they differ
  --help              this text`;

const OPTIONS = {
  stage: { type: 'string' },
  url: { type: 'string' },
  region: { type: 'string' },
  assembly: { type: 'string' },
  only: { type: 'string' },
  'skip-slow': { type: 'boolean', default: false },
  report: { type: 'string' },
  compare: { type: 'boolean', default: false },
  help: { type: 'boolean', default: false },
} as const;

export interface E2eOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const defaultOutput: E2eOutput = {
  out: (text) => process.stdout.write(`${text}\n`),
  err: (text) => process.stderr.write(`${text}\n`),
};

/** Runs the command; resolves with its exit code (0 passed, 1 failed or differed, 2 usage). */
export async function runE2e(args: readonly string[], output: E2eOutput = defaultOutput): Promise<number> {
  let parsed: ReturnType<typeof parseArgs<{ options: typeof OPTIONS; allowPositionals: true }>>;
  try {
    parsed = parseArgs({ args: [...args], options: OPTIONS, allowPositionals: true });
  } catch (error) {
    output.err(`${(error as Error).message}\n\n${USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    output.out(USAGE);
    return 0;
  }
  if (values.compare) return compare(positionals, output);
  if (positionals.length > 0) {
    output.err(`Unexpected argument ${positionals[0]}\n\n${USAGE}`);
    return 2;
  }
  if (values.stage !== undefined && values.assembly !== undefined) {
    output.err('--assembly is for the local cloud the suite starts: not with --stage');
    return 2;
  }

  let stopLocal: (() => Promise<void>) | undefined;
  try {
    let target: Target;
    if (values.stage !== undefined) {
      const region = await stageRegion(values.region);
      await checkCredentials(region);
      target = await resolveStage({
        stage: values.stage,
        region,
        ...(values.url ? { apiUrl: values.url } : {}),
      });
    } else if (values.url !== undefined) {
      if (!process.env.AWS_ENDPOINT_URL_SSM) {
        output.err(
          '--url without --stage runs against a local cloud, found through its endpoints: paste the\n' +
            'export lines its banner prints (npm start) into this shell, then run this command again.\n' +
            'For a deployed stage, name it: npm run e2e -- --stage <name>',
        );
        return 2;
      }
      target = await resolveStage({ stage: 'local', region: localRegion(), apiUrl: values.url });
    } else {
      output.err('Starting a local cloud for the scenarios…');
      const local = await startLocalTarget({
        ...(values.assembly ? { assemblyDir: values.assembly } : {}),
        say: output.err,
      });
      stopLocal = local.stop;
      // The scenario files, and the SDK in them, find the local cloud as any client does.
      Object.assign(process.env, local.environment);
      target = await resolveStage({ stage: 'local', region: local.environment.AWS_REGION ?? localRegion() });
    }
    output.err(`Scenarios against stage ${target.stage} at ${target.apiUrl}`);
    const report = await runScenarios(target, {
      skipSlow: values['skip-slow'],
      ...(values.only ? { only: values.only.split(',').filter(Boolean) } : {}),
    });
    if (values.report) {
      writeReport(values.report, report.parity);
      output.err(`Report written to ${values.report}`);
    }
    return report.passed ? 0 : 1;
  } catch (error) {
    if (error instanceof TargetError || error instanceof CredentialsError) {
      output.err(error.message);
      return 1;
    }
    const refusal = refusalOf(error);
    if (refusal) {
      output.err(refusal);
      return 1;
    }
    throw error;
  } finally {
    await stopLocal?.();
  }
}

function compare(files: string[], output: E2eOutput): number {
  if (files.length !== 2) {
    output.err(`--compare takes two report files\n\n${USAGE}`);
    return 2;
  }
  const [a = '', b = ''] = files;
  const differences = compareReports(readReport(a), readReport(b), [a, b]);
  if (differences.length === 0) {
    output.out(`${a} and ${b} agree: the same scenarios, outcomes, events and statuses.`);
    return 0;
  }
  output.err(`${a} and ${b} differ:\n${differences.map((line) => `  ${line}`).join('\n')}`);
  return 1;
}

class CredentialsError extends Error {
  override readonly name = 'CredentialsError';
}

/** As npm run deploy chooses it: --region, the shell's, the profile's, then cdk.json's. */
async function stageRegion(given: string | undefined): Promise<string> {
  if (given) return given;
  const fromEnv = process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (fromEnv) return fromEnv;
  const client = new SSMClient({});
  try {
    return await client.config.region();
  } catch {
    return String(cdkJson.context.region);
  } finally {
    client.destroy();
  }
}

const localRegion = () =>
  process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION ?? String(cdkJson.context.region);

/** No credentials is one sentence and what to run, as npm run deploy says it, not an SDK stack trace. */
async function checkCredentials(region: string): Promise<void> {
  const client = new SSMClient({ region });
  try {
    await client.config.credentials();
  } catch (error) {
    throw new CredentialsError(
      `No usable AWS credentials (${(error as Error).message.split('\n')[0]}).\n` +
        'Log in, then run this command again:\n' +
        '  aws sso login --profile <profile> && export AWS_PROFILE=<profile>\n' +
        '(first time: aws configure sso; with access keys: aws configure)',
    );
  } finally {
    client.destroy();
  }
}

/** AWS's refusals of the credentials, or of what they may do, as one sentence and what to run. */
const REFUSED_CREDENTIALS = new Set([
  'ExpiredTokenException',
  'ExpiredToken',
  'UnrecognizedClientException',
  'InvalidClientTokenId',
  'InvalidSignatureException',
]);

function refusalOf(error: unknown): string | undefined {
  const { name, message } = error as Error;
  if (REFUSED_CREDENTIALS.has(name)) {
    return `AWS refused your credentials (${message}). Log in again, then run this command again:\n  aws sso login --profile <profile> && export AWS_PROFILE=<profile>`;
  }
  if (name === 'AccessDeniedException') {
    return `Your credentials may not read the stage (${message}): the suite needs ssm:GetParametersByPath and secretsmanager:GetSecretValue on it (tools/e2e/README.md).`;
  }
  return undefined;
}

/** Runs the scenario files with vitest, the target provided to them; the parity report of the run. */
async function runScenarios(
  target: Target,
  options: { skipSlow: boolean; only?: string[] },
): Promise<{ passed: boolean; parity: ParityReport }> {
  const parity: ParityReport = { stage: target.stage, scenarios: {} };
  const root = join(repositoryRoot, 'tools/e2e');
  const exitCodeBefore = process.exitCode;
  const vitest = await startVitest(
    [],
    {
      config: false,
      root,
      run: true,
      watch: false,
      ...(options.only ? { testNamePattern: options.only.map(escapeRegExp).join('|') } : {}),
    },
    {
      test: {
        include: ['scenarios/**/*.scenario.ts'],
        provide: {
          e2eTarget: target,
          e2eRunId: randomBytes(4).toString('hex'),
          e2eSkipSlow: options.skipSlow,
        },
        reporters: ['default'],
        pool: 'forks',
        // Each scenario waits as long as the target's workflow definition allows, no more.
        testTimeout: 30 * 60_000,
        hookTimeout: 5 * 60_000,
      },
    },
  );
  const errors = vitest.state.getUnhandledErrors().length;
  let failed = 0;
  // In the order the files define them, so that a name the corpus gives twice is numbered alike in every run.
  const modules = [...vitest.state.getTestModules()].sort((a, b) => a.moduleId.localeCompare(b.moduleId));
  for (const testCase of modules.flatMap((module) => [...module.children.allTests()])) {
    const { state } = testCase.result();
    const outcome = state === 'passed' ? 'passed' : state === 'failed' ? 'failed' : 'skipped';
    if (outcome === 'failed') failed++;
    let name = testCase.fullName;
    for (let count = 2; parity.scenarios[name]; count++) name = `${testCase.fullName} (${count})`;
    parity.scenarios[name] = { outcome, orders: testCase.meta().scenario?.orders ?? {} };
  }
  await vitest.close();
  const vitestFailed =
    process.exitCode !== undefined && process.exitCode !== 0 && process.exitCode !== exitCodeBefore;
  process.exitCode = exitCodeBefore;
  const ran = Object.keys(parity.scenarios).length;
  return { passed: ran > 0 && failed === 0 && errors === 0 && !vitestFailed, parity };
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
