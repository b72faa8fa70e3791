import { CfnResource, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import {
  type IOidcProvider,
  OidcProviderNative,
  OpenIdConnectPrincipal,
  PolicyStatement,
  Role,
} from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { APP_NAME } from './stages.ts';

export const GITHUB_OIDC_ISSUER = 'token.actions.githubusercontent.com';

/** The role GitHub Actions deploys with; preview stages let it run their scenario suite too. */
export const GITHUB_DEPLOY_ROLE_NAME = `${APP_NAME}-github-deploy`;

/** The default qualifier of `cdk bootstrap`, in the names of the roles it creates. */
export const CDK_DEFAULT_QUALIFIER = 'hnb659fds';

export interface GitHubDeployBootstrapProps extends StackProps {
  /** `owner/name` of the GitHub repository whose workflows may deploy. */
  readonly repository: string;
  /**
   * The GitHub environments whose jobs may assume the role in this account (`test` and `preview` in
   * the test account, `prod` in the prod account). Which branches and tags may use an environment is
   * set on GitHub (Settings → Environments), so the role trusts environments rather than refs.
   */
  readonly environments: readonly string[];
  /** An account holds one provider per issuer: pass its ARN when one exists already. */
  readonly existingOidcProviderArn?: string;
  /** Let the role list stages, read their cost and delete expired disposable ones (stages-prune.yml). */
  readonly pruneStages: boolean;
  readonly cdkQualifier?: string;
}

/**
 * What GitHub Actions needs to deploy into one account without a long-lived key: the GitHub OIDC
 * provider and one role that only jobs of this repository, in the listed environments, can assume.
 * The role deploys nothing itself: it may only assume the roles `cdk bootstrap` created, which is
 * all the CDK CLI needs (and what `cdk deploy` does anyway), so what a deployment may change is
 * decided once, by the bootstrap's execution policy.
 */
export class GitHubDeployBootstrapStack extends Stack {
  readonly provider: IOidcProvider;
  readonly role: Role;

  constructor(scope: Construct, id: string, props: GitHubDeployBootstrapProps) {
    super(scope, id, props);
    if (!/^[A-Za-z0-9-]+\/[A-Za-z0-9._-]+$/.test(props.repository)) {
      throw new Error(`repository must be "owner/name" of the GitHub repository, not "${props.repository}"`);
    }
    if (props.environments.length === 0) throw new Error('Give at least one GitHub environment.');

    this.provider = props.existingOidcProviderArn
      ? OidcProviderNative.fromOidcProviderArn(this, 'GitHubOidcProvider', props.existingOidcProviderArn)
      : new OidcProviderNative(this, 'GitHubOidcProvider', {
          url: `https://${GITHUB_OIDC_ISSUER}`,
          clientIds: ['sts.amazonaws.com'],
        });

    this.role = new Role(this, 'GitHubDeployRole', {
      roleName: GITHUB_DEPLOY_ROLE_NAME,
      description: `Assumed by GitHub Actions of ${props.repository} (${props.environments.join(', ')}) to run the CDK CLI.`,
      maxSessionDuration: Duration.hours(1),
      assumedBy: new OpenIdConnectPrincipal(this.provider, {
        StringEquals: {
          [`${GITHUB_OIDC_ISSUER}:aud`]: 'sts.amazonaws.com',
          [`${GITHUB_OIDC_ISSUER}:sub`]: props.environments.map(
            (environment) => `repo:${props.repository}:environment:${environment}`,
          ),
        },
      }),
    });

    const qualifier = props.cdkQualifier ?? CDK_DEFAULT_QUALIFIER;
    this.role.addToPolicy(
      new PolicyStatement({
        sid: 'AssumeCdkBootstrapRoles',
        actions: ['sts:AssumeRole', 'sts:TagSession'],
        resources: ['deploy', 'file-publishing', 'image-publishing', 'lookup'].map(
          (role) =>
            `arn:${this.partition}:iam::${this.account}:role/cdk-${qualifier}-${role}-role-${this.account}-${this.region}`,
        ),
      }),
    );

    if (props.pruneStages) {
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'ListStagesAndTheirCost',
          actions: ['cloudformation:DescribeStacks', 'ce:GetCostAndUsage'],
          resources: ['*'],
        }),
      );
      const disposableStacks = ['dev', 'pr'].map(
        (kind) =>
          `arn:${this.partition}:cloudformation:${this.region}:${this.account}:stack/${APP_NAME}-${kind}-*/*`,
      );
      this.role.addToPolicy(
        new PolicyStatement({
          sid: 'DeleteExpiredDisposableStages',
          actions: ['cloudformation:DeleteStack'],
          resources: disposableStacks,
        }),
      );
      this.acknowledgeStageListing(disposableStacks);
    }
  }

  private acknowledgeStageListing(disposableStacks: readonly string[]): void {
    const policy = this.role.node.tryFindChild('DefaultPolicy')?.node.defaultChild;
    if (!policy || !CfnResource.isCfnResource(policy))
      throw new Error('The deploy role has no default policy.');
    const validations = Validations.of(policy);
    validations.acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Listing every stack (DescribeStacks with no stack name) and Cost Explorer GetCostAndUsage ' +
        'support no resource-level permissions; both only read.',
    });
    // The stack has a concrete account and region, so cdk-nag names these resources as written.
    for (const stacks of disposableStacks) {
      validations.acknowledge({
        id: `AwsSolutions-IAM5[Resource::${stacks}]`,
        reason:
          "DeleteStack on this app's personal or preview stages only, whose names are not known in " +
          'advance; prune also checks their expires-at and retains-data tags and termination protection.',
      });
    }
  }
}
