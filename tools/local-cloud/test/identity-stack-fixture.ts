import { fileURLToPath } from 'node:url';
import { App, Duration, Stack } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';

/**
 * A stack shaped as the app's identity: an email user pool and its app client, a generated
 * webhook secret, and an HTTP API whose default authorizer trusts the pool, with a webhook route
 * that has none. Both routes run a function that echoes its claims and reads the secret.
 */
export function synthesizeIdentityStack(
  outdir: string,
  customize: (parts: {
    stack: Stack;
    api: apigateway.HttpApi;
    echo: lambda.Function;
    pool: cognito.UserPool;
  }) => void = () => undefined,
): void {
  // The CLI asks for asset metadata by default; an in-process App must ask for it. Unstaged, the
  // function runs where it is, and finds the SDK in the repository's node_modules.
  const app = new App({
    outdir,
    context: { 'aws:cdk:enable-asset-metadata': true, 'aws:cdk:disable-asset-staging': true },
  });
  const stack = new Stack(app, 'Identity', { env: { region: 'eu-west-1' }, stackName: 'identity-test' });
  const pool = new cognito.UserPool(stack, 'CustomerUserPool', {
    signInAliases: { email: true },
    selfSignUpEnabled: true,
    autoVerify: { email: true },
    passwordPolicy: {
      minLength: 12,
      requireDigits: true,
      requireLowercase: true,
      requireUppercase: true,
      requireSymbols: true,
    },
  });
  const client = pool.addClient('CustomerUserPoolClient', {
    authFlows: { userPassword: true, userSrp: true },
    accessTokenValidity: Duration.minutes(30),
  });
  const secret = new secretsmanager.Secret(stack, 'BankWebhookSecret', {
    secretName: 'identity-test-bank-webhook',
    generateSecretString: { passwordLength: 44, excludePunctuation: true },
  });
  const echo = new lambda.Function(stack, 'Echo', {
    functionName: 'identity-echo',
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromAsset(fileURLToPath(new URL('./fixtures/identity-echo', import.meta.url))),
    environment: { SECRET_ARN: secret.secretArn },
  });
  const api = new apigateway.HttpApi(stack, 'HttpApi', {
    defaultAuthorizer: new HttpJwtAuthorizer(
      'CustomerAuthorizer',
      `https://cognito-idp.eu-west-1.amazonaws.com/${pool.userPoolId}`,
      {
        jwtAudience: [client.userPoolClientId],
      },
    ),
  });
  api.addRoutes({
    path: '/me',
    methods: [apigateway.HttpMethod.GET],
    integration: new HttpLambdaIntegration('Me', echo),
  });
  api.addRoutes({
    path: '/webhooks/bank-transfers',
    methods: [apigateway.HttpMethod.POST],
    integration: new HttpLambdaIntegration('Webhook', echo),
    authorizer: new apigateway.HttpNoneAuthorizer(),
  });
  customize({ stack, api, echo, pool });
  app.synth();
}
