import { type App, Tags } from 'aws-cdk-lib';
import { GITHUB_DEPLOY_ROLE_NAME } from './bootstrap-stack.ts';
import { addNagChecks } from './nag.ts';
import { ServerlessCommerceStage } from './serverless-commerce-stage.ts';
import { PipelineStack } from './stacks/pipeline-stack.ts';
import {
  APP_NAME,
  defaultPersonalStageName,
  isPreviewStageName,
  readAppContext,
  stageConfig,
} from './stages.ts';

export interface ServerlessCommerceApp {
  /** The stage chosen with `-c stage=NAME` (default `dev-<os user>`), deployable from a laptop. */
  readonly stage: ServerlessCommerceStage;
  /** The pipeline, with its own test and prod stages. */
  readonly pipeline: PipelineStack;
}

/**
 * Everything `cdk synth` produces: the selected stage and the pipeline stack. Kept apart from
 * bin/app.ts so that tests and the local cloud build exactly the same app in-process.
 */
export function buildApp(app: App, env: NodeJS.ProcessEnv = process.env): ServerlessCommerceApp {
  const context = readAppContext((key) => app.node.tryGetContext(key));
  const stageName: unknown = app.node.tryGetContext('stage');
  const config = stageConfig(
    typeof stageName === 'string' ? stageName : defaultPersonalStageName(),
    context,
    env,
  );

  Tags.of(app).add('app', APP_NAME);
  // The GitHub workflows run the scenario suite, with their deploy role, against the stage they
  // deployed: preview.yml against a preview stage, deploy.yml against test (never prod).
  const checkedByGitHub = isPreviewStageName(config.name) || config.name === 'test';
  const stage = new ServerlessCommerceStage(app, config.name, {
    config,
    ...(checkedByGitHub ? { scenarioSuiteRunner: { roleName: GITHUB_DEPLOY_ROLE_NAME } } : {}),
  });

  const tags = { app: APP_NAME, stage: 'pipeline', owner: context.owner };
  const pipeline = new PipelineStack(app, 'Pipeline', {
    stackName: `${APP_NAME}-pipeline`,
    description: 'CDK Pipelines: one synthesized build promoted from test to prod.',
    env: { account: context.toolingAccount, region: context.region },
    terminationProtection: true,
    tags,
    repository: context.repository,
    branch: context.branch,
    connectionArn: context.connectionArn,
    test: stageConfig('test', context, env),
    prod: stageConfig('prod', context, env),
  });
  // The test and prod stages inside tag their own resources with their own stage.
  for (const [key, value] of Object.entries(tags)) Tags.of(pipeline).add(key, value);

  addNagChecks(app);
  return { stage, pipeline };
}
