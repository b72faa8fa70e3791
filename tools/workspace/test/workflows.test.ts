import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateWorkflow } from '@action-validator/core';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

/**
 * The GitHub workflows, checked without GitHub: against the SchemaStore workflow schema (through
 * action-validator, which embeds it) and against this repository's own rules.
 */
const workflowsDir = fileURLToPath(new URL('../../../.github/workflows/', import.meta.url));
const readme = readFileSync(fileURLToPath(new URL('../../../README.md', import.meta.url)), 'utf8');

interface Step {
  name?: string;
  if?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}
interface Job {
  permissions?: Record<string, string> | string;
  environment?: string;
  if?: string;
  steps: Step[];
}
interface Workflow {
  on: Record<string, { branches?: string[]; tags?: string[]; types?: string[] } | null>;
  permissions?: Record<string, string> | string;
  env?: Record<string, string>;
  jobs: Record<string, Job>;
}

const files = readdirSync(workflowsDir).filter((file) => /\.ya?ml$/.test(file));
const source = (file: string) => readFileSync(join(workflowsDir, file), 'utf8');
const workflow = (file: string) => parse(source(file)) as Workflow;

/** A GitHub Actions expression as written in a workflow: `${{ ... }}`. */
const expression = (text: string) => `\${{ ${text} }}`;
const steps = (file: string) => Object.values(workflow(file).jobs).flatMap((job) => job.steps);

/** The deploy job's steps of `file`, and the index of its scenario suite step, checked to follow the deploy. */
function scenarioSuiteAfterDeploy(file: string) {
  const deploy = workflow(file).jobs.deploy?.steps ?? [];
  const deployed = deploy.findIndex((step) => step.run?.startsWith('node infra/scripts/cdk.ts deploy '));
  const suite = deploy.findIndex((step) => step.name === 'Scenario suite');
  expect(deployed).toBeGreaterThan(-1);
  expect(suite).toBeGreaterThan(deployed);
  return { deploy, suite };
}

describe('GitHub workflows', () => {
  it('has the workflows the template promises', () => {
    expect(files.sort()).toEqual(['ci.yml', 'deploy.yml', 'pr-title.yml', 'preview.yml', 'stages-prune.yml']);
  });

  it('validates every workflow against the GitHub workflow schema', () => {
    for (const file of files) expect(validateWorkflow(source(file)).errors, file).toEqual([]);
  });

  it('has a validator that does reject a malformed workflow', () => {
    const broken = 'on: push\njobs:\n  test:\n    runs-onn: ubuntu-24.04\n    steps: []\n';
    expect(validateWorkflow(broken).errors).not.toEqual([]);
  });

  it('pins every action to a full commit SHA, with the version it is in a comment', () => {
    for (const file of files) {
      const uses = source(file)
        .split('\n')
        .filter((line) => /^\s*(?:-\s+)?uses:/.test(line));
      expect(uses.length, file).toBeGreaterThan(0);
      for (const line of uses)
        expect(line, file).toMatch(/uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+\.\d+\.\d+$/);
    }
  });

  it('reads the repository only, unless a job asks for an OIDC token to reach AWS', () => {
    for (const file of files) {
      const { permissions, jobs } = workflow(file);
      expect(permissions, file).toEqual({ contents: 'read' });
      for (const [name, job] of Object.entries(jobs)) {
        const granted = typeof job.permissions === 'object' ? job.permissions : {};
        expect(granted, `${file} ${name}`).toEqual(
          Object.keys(granted).length === 0 ? {} : { contents: 'read', 'id-token': 'write' },
        );
        const assumesRole = job.steps.some((step) =>
          step.uses?.startsWith('aws-actions/configure-aws-credentials@'),
        );
        expect(granted['id-token'] === 'write', `${file} ${name}: id-token only with a role to assume`).toBe(
          assumesRole,
        );
      }
    }
  });

  it('reaches AWS through OIDC role assumption only, never with stored keys', () => {
    for (const file of files) {
      expect(source(file), file).not.toMatch(/aws-access-key-id|aws-secret-access-key|AWS_SECRET|secrets\./i);
      for (const step of steps(file).filter((s) =>
        s.uses?.startsWith('aws-actions/configure-aws-credentials@'),
      )) {
        expect(Object.keys(step.with ?? {}).sort(), file).toEqual(['aws-region', 'role-to-assume']);
        expect(step.with?.['role-to-assume']).toBe(expression('vars.AWS_DEPLOY_ROLE_ARN'));
      }
    }
  });

  it('never checks out with a persisted token', () => {
    for (const file of files) {
      for (const step of steps(file).filter((s) => s.uses?.startsWith('actions/checkout@'))) {
        expect(step.with?.['persist-credentials'], file).toBe(false);
      }
    }
  });

  it('runs the README’s test command on pull requests and main, with the nx cache', () => {
    const command = /```bash\n(npm ci && npm test)\n```/.exec(readme)?.[1];
    expect(command).toBe('npm ci && npm test');
    const ci = workflow('ci.yml');
    expect(ci.on).toEqual({ pull_request: null, push: { branches: ['main'] } });
    expect(steps('ci.yml').map((step) => step.run)).toContain(command);
    expect(steps('ci.yml').find((step) => step.uses?.startsWith('actions/cache@'))?.with?.path).toBe('~/.nx');
  });

  it('deploys test from main and prod from v* tags, each in its own GitHub environment', () => {
    const deploy = workflow('deploy.yml');
    expect(deploy.on).toEqual({ push: { branches: ['main'], tags: ['v*'] } });
    expect(deploy.jobs.deploy?.environment).toBe(
      expression("startsWith(github.ref, 'refs/tags/v') && 'prod' || 'test'"),
    );
    expect(steps('deploy.yml').map((step) => step.run)).toEqual(
      expect.arrayContaining([
        'npm ci && npm test',
        'node infra/scripts/cdk.ts deploy "$STAGE/*" --context "stage=$STAGE" --require-approval never',
      ]),
    );
  });

  it('deploys a pr-<number> preview on open, update and reopen, and destroys it on close', () => {
    const preview = workflow('preview.yml');
    expect(preview.on.pull_request?.types).toEqual(['opened', 'synchronize', 'reopened', 'closed']);
    expect(preview.env?.STAGE).toBe(`pr-${expression('github.event.pull_request.number')}`);
    expect(preview.jobs.deploy?.if).toMatch(/^github\.event\.action != 'closed' && /);
    expect(preview.jobs.destroy?.if).toMatch(/^github\.event\.action == 'closed' && /);
    expect(preview.jobs.destroy?.steps.at(-1)?.run).toBe(
      'node infra/scripts/cdk.ts destroy "$STAGE/*" --context "stage=$STAGE" --force',
    );
  });

  it('runs the scenario suite against the preview once deployed, as the preview’s scenario suite role', () => {
    const { deploy, suite } = scenarioSuiteAfterDeploy('preview.yml');
    const lines = deploy[suite]?.run?.trim().split('\n') ?? [];
    // A run script stops at its first failing command: the suite's exit status is the step's.
    expect(lines.at(-1)).toBe('AWS_PROFILE=scenario-suite npm run e2e -- --stage "$STAGE"');
    expect(deploy[suite]?.run).toContain(
      'role_arn "arn:aws:iam::$account:role/serverless-commerce-$STAGE-scenario-suite" --profile scenario-suite',
    );
    expect(deploy[suite]?.run).toContain('credential_source Environment --profile scenario-suite');
    expect(deploy[suite]).not.toHaveProperty('continue-on-error');
  });

  it('runs the scenario suite against test once deploy.yml deployed it, and never against prod', () => {
    const { deploy, suite } = scenarioSuiteAfterDeploy('deploy.yml');
    expect(deploy[suite]?.if).toBe("env.STAGE == 'test'");
    expect(deploy[suite]?.run?.trim().split('\n').at(-1)).toBe(
      'AWS_PROFILE=scenario-suite npm run e2e -- --stage "$STAGE"',
    );
    expect(deploy[suite]?.run).toContain(
      'role_arn "arn:aws:iam::$account:role/serverless-commerce-$STAGE-scenario-suite" --profile scenario-suite',
    );
    expect(deploy[suite]).not.toHaveProperty('continue-on-error');
  });

  it('passes untrusted pull request text to scripts through the environment, never into their source', () => {
    for (const file of files) {
      for (const step of steps(file)) {
        expect(step.run ?? '', file).not.toMatch(
          /\$\{\{\s*github\.event\.pull_request\.(title|body|head\.ref)/,
        );
      }
    }
  });
});
