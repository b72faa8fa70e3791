import { Duration, RemovalPolicy, Stack, type StackProps } from 'aws-cdk-lib';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { PARAMETERS, publishParameter } from '../parameters.ts';
import { physicalName, type StageConfig } from '../stages.ts';

export interface IdentityStackProps extends StackProps {
  readonly stage: StageConfig;
}

/**
 * Who may call the API: the customer user pool with the app client customers sign in with, and the
 * secret the bank signs its transfer webhooks with. Stateful, deployed before the services (orders
 * authorizes its routes with the pool, payments verifies webhooks with the secret), which find them
 * through SSM parameters.
 *
 * Its own stack rather than the data stack's: neither accounts nor the secret the bank holds can be
 * restored from a backup, so they sit where only a change to identity ever touches them.
 */
export class IdentityStack extends Stack {
  readonly customerUserPool: cognito.UserPool;
  readonly customerUserPoolClient: cognito.UserPoolClient;
  readonly bankWebhookSecret: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: IdentityStackProps) {
    super(scope, id, props);
    const { stage } = props;
    const dataRemoval = stage.retainData ? RemovalPolicy.RETAIN : RemovalPolicy.DESTROY;

    // Verification and recovery emails come from Cognito's own sender, capped at 50 a day per account:
    // enough below prod; real customer traffic needs an SES identity (`email: UserPoolEmail.withSES`).
    this.customerUserPool = new cognito.UserPool(this, 'CustomerUserPool', {
      userPoolName: physicalName(stage, 'customers'),
      selfSignUpEnabled: true,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      // A changed address takes effect once verified: until then sign-in and recovery use the old one.
      keepOriginal: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      mfa: cognito.Mfa.OPTIONAL,
      mfaSecondFactor: { sms: false, otp: true },
      // Lite: password sign-in, TOTP and the API this app uses, at about a third of Essentials' price
      // per monthly active user (docs/cost.md); Essentials adds managed login and passwordless.
      featurePlan: cognito.FeaturePlan.LITE,
      deletionProtection: stage.retainData,
      removalPolicy: dataRemoval,
    });

    this.customerUserPoolClient = new cognito.UserPoolClient(this, 'CustomerUserPoolClient', {
      userPool: this.customerUserPool,
      userPoolClientName: physicalName(stage, 'customers-client'),
      // A browser or mobile app cannot keep a client secret.
      generateSecret: false,
      authFlows: { userPassword: true, userSrp: true },
      // No hosted UI: the storefront signs customers in through the Cognito API itself.
      disableOAuth: true,
      preventUserExistenceErrors: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.days(30),
      enableTokenRevocation: true,
    });

    // Standard Webhooks secrets are base64: 44 letters and digits are 33 bytes of it, with no padding.
    this.bankWebhookSecret = new secretsmanager.Secret(this, 'BankWebhookSecret', {
      secretName: physicalName(stage, 'bank-webhook'),
      description:
        'Signs the bank-transfer webhooks (Standard Webhooks): shared with the bank, read by confirm-bank-transfer.',
      generateSecretString: { passwordLength: 44, excludePunctuation: true, includeSpace: false },
      removalPolicy: dataRemoval,
    });

    publishParameter(this, stage, PARAMETERS.customerUserPoolId, this.customerUserPool.userPoolId);
    publishParameter(
      this,
      stage,
      PARAMETERS.customerUserPoolClientId,
      this.customerUserPoolClient.userPoolClientId,
    );
    publishParameter(this, stage, PARAMETERS.bankWebhookSecretArn, this.bankWebhookSecret.secretArn);
  }
}
