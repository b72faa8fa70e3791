import type { App } from 'aws-cdk-lib';
import { GitHubDeployBootstrapStack } from './bootstrap-stack.ts';
import { addNagChecks } from './nag.ts';
import { APP_NAME, readAppContext } from './stages.ts';

export interface BootstrapApp {
  /** Test account: deploys `test` from main and the `pr-<number>` previews, prunes expired stages. */
  readonly test: GitHubDeployBootstrapStack;
  /** Prod account: deploys `prod` from release tags. */
  readonly prod: GitHubDeployBootstrapStack;
}

/**
 * The app of `bin/bootstrap.ts`, apart from the main app so that `cdk deploy` of a stage never
 * touches the account's trust in GitHub. Reads `repository`, `testAccount`, `prodAccount`, `region`
 * and, when the account already has the GitHub OIDC provider, `githubOidcProviderArn` from cdk.json.
 */
export function buildBootstrapApp(app: App): BootstrapApp {
  const context = readAppContext((key) => app.node.tryGetContext(key));
  const existing: unknown = app.node.tryGetContext('githubOidcProviderArn');
  const shared = {
    repository: context.repository,
    ...(typeof existing === 'string' && existing !== '' ? { existingOidcProviderArn: existing } : {}),
    terminationProtection: true,
    tags: { app: APP_NAME, stage: 'bootstrap', owner: context.owner },
  };
  const test = new GitHubDeployBootstrapStack(app, 'GitHubDeploy-test', {
    ...shared,
    stackName: `${APP_NAME}-github-deploy`,
    description: 'GitHub OIDC provider and the role GitHub Actions deploy test and previews with.',
    env: { account: context.testAccount, region: context.region },
    environments: ['test', 'preview'],
    pruneStages: true,
  });
  const prod = new GitHubDeployBootstrapStack(app, 'GitHubDeploy-prod', {
    ...shared,
    stackName: `${APP_NAME}-github-deploy`,
    description: 'GitHub OIDC provider and the role GitHub Actions deploy prod with.',
    env: { account: context.prodAccount, region: context.region },
    environments: ['prod'],
    pruneStages: false,
  });
  addNagChecks(app);
  return { test, prod };
}
