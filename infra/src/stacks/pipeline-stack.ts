import { readFileSync } from 'node:fs';
import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as codebuild from 'aws-cdk-lib/aws-codebuild';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as pipelines from 'aws-cdk-lib/pipelines';
import type { Construct } from 'constructs';
import { ServerlessCommerceStage } from '../serverless-commerce-stage.ts';
import { APP_NAME, type StageConfig } from '../stages.ts';
import { scenarioSuiteRoleName } from './scenarios-stack.ts';

/** The CDK CLI this repository pins (infra/package.json), so the pipeline runs the same one. */
const cliVersion = (
  JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
    devDependencies: Record<string, string>;
  }
).devDependencies['aws-cdk'];

export interface PipelineStackProps extends StackProps {
  /** `owner/name` of the repository the connection gives access to. */
  readonly repository: string;
  readonly branch: string;
  /** ARN of a CodeConnections (formerly CodeStar) connection to the repository's host. */
  readonly connectionArn: string;
  readonly test: StageConfig;
  readonly prod: StageConfig;
}

/**
 * The release path, deployed once into a tooling account (`cdk deploy Pipeline`): every push to the
 * branch is synthesized once, and that one cloud assembly is deployed to test, then, after a manual
 * approval, to prod, each in its own account. Between the two, the scenario suite runs against the
 * deployed test stage (`npm run e2e -- --stage test`): a failed scenario stops the build before the
 * approval. The pipeline updates itself first when its own definition changed. test and prod must
 * be bootstrapped to trust the tooling account
 * (`cdk bootstrap --trust <tooling account> aws://<account>/<region>`).
 */
export class PipelineStack extends Stack {
  readonly pipeline: pipelines.CodePipeline;
  readonly artifactBucket: s3.Bucket;
  readonly test: ServerlessCommerceStage;
  readonly prod: ServerlessCommerceStage;
  /** The post-deployment step on test that runs the scenario suite against it. */
  readonly scenarioSuite: pipelines.CodeBuildStep;
  /** The step's role, which the test stage's scenario suite role trusts. */
  readonly scenarioSuiteRunner: iam.Role;

  constructor(scope: Construct, id: string, props: PipelineStackProps) {
    super(scope, id, props);

    const accessLogs = new s3.Bucket(this, 'ArtifactAccessLogsBucket', {
      encryption: s3.BucketEncryption.S3_MANAGED,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      lifecycleRules: [{ expiration: Duration.days(90) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });
    // test and prod are other accounts: they read the artifacts with this key, which the pipeline
    // grants to their deployment roles.
    const artifactKey = new kms.Key(this, 'ArtifactKey', {
      description: 'Encrypts the pipeline artifacts that the test and prod accounts deploy',
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.artifactBucket = new s3.Bucket(this, 'ArtifactBucket', {
      encryption: s3.BucketEncryption.KMS,
      encryptionKey: artifactKey,
      bucketKeyEnabled: true,
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      serverAccessLogsBucket: accessLogs,
      lifecycleRules: [{ expiration: Duration.days(30) }],
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const source = pipelines.CodePipelineSource.connection(props.repository, props.branch, {
      connectionArn: props.connectionArn,
    });
    this.pipeline = new pipelines.CodePipeline(this, 'Pipeline', {
      pipelineName: APP_NAME,
      artifactBucket: this.artifactBucket,
      ...(cliVersion ? { cliVersion } : {}),
      // One CodeBuild project publishes every Lambda bundle, instead of one project per asset.
      publishAssetsInParallel: false,
      synth: new pipelines.ShellStep('Synth', {
        input: source,
        // `npm ci` installs Node 24 itself (the root `node` devDependency), and `npm run synth`
        // builds the handler bundles (nx) before it synthesizes the app.
        commands: ['npm ci', 'npm run synth'],
        primaryOutputDirectory: 'infra/cdk.out',
      }),
      codeBuildDefaults: {
        buildEnvironment: {
          buildImage: codebuild.LinuxArmBuildImage.AMAZON_LINUX_2023_STANDARD_3_0,
          computeType: codebuild.ComputeType.SMALL,
        },
      },
    });

    // Named in advance on both sides: the test stage's role trusts this one, which may assume it.
    const runnerRoleName = `${APP_NAME}-pipeline-scenario-suite`;
    this.scenarioSuiteRunner = new iam.Role(this, 'ScenarioSuiteRunnerRole', {
      roleName: runnerRoleName,
      description: `Runs the scenario suite against the ${props.test.name} stage, as that stage's scenario suite role.`,
      assumedBy: new iam.ServicePrincipal('codebuild.amazonaws.com'),
    });
    this.test = new ServerlessCommerceStage(this, props.test.name, {
      config: props.test,
      scenarioSuiteRunner: { account: this.account, roleName: runnerRoleName },
    });
    this.prod = new ServerlessCommerceStage(this, props.prod.name, { config: props.prod });
    this.scenarioSuite = scenarioSuiteStep(source, this.scenarioSuiteRunner, props.test);
    this.pipeline.addStage(this.test, { post: [this.scenarioSuite] });
    this.pipeline.addStage(this.prod, {
      pre: [
        new pipelines.ManualApprovalStep('PromoteToProd', {
          comment: 'Promote the build verified in test to prod?',
        }),
      ],
    });
    // Built now rather than at synth, so that its generated roles exist for src/nag.ts to review.
    this.pipeline.buildPipeline();
  }
}

/**
 * Runs the scenario suite against a deployed stage in another account, as that stage's scenario
 * suite role (ScenariosStack).
 */
function scenarioSuiteStep(
  source: pipelines.IFileSetProducer,
  runner: iam.IRole,
  stage: StageConfig,
): pipelines.CodeBuildStep {
  if (!stage.account) throw new Error(`The ${stage.name} stage has no account: set it in infra/cdk.json`);
  const suiteRoleArn = `arn:aws:iam::${stage.account}:role/${scenarioSuiteRoleName(stage)}`;
  return new pipelines.CodeBuildStep('ScenarioSuite', {
    input: source,
    role: runner,
    rolePolicyStatements: [
      new iam.PolicyStatement({ actions: ['sts:AssumeRole'], resources: [suiteRoleArn] }),
    ],
    timeout: Duration.minutes(30),
    commands: [
      'npm ci',
      // A profile that assumes the stage's role with CodeBuild's own credentials (served to the
      // container, hence EcsContainer): the suite's SDK clients then use it through AWS_PROFILE.
      `aws configure set role_arn ${suiteRoleArn} --profile scenario-suite`,
      'aws configure set credential_source EcsContainer --profile scenario-suite',
      `AWS_PROFILE=scenario-suite AWS_REGION=${stage.region} npm run e2e -- --stage ${stage.name}`,
    ],
  });
}
