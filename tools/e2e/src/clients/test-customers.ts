import { randomBytes } from 'node:crypto';
import {
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  InitiateAuthCommand,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import type { UserPoolTarget } from '@shop/local-cloud';

/**
 * Test customers, signed in with the same Cognito calls on the local cloud and on a deployed stage:
 * an administrator creates the user (no invitation mail) and sets a permanent password, then the
 * customer signs in with USER_PASSWORD_AUTH, as the app client allows. Signing in a name again
 * gives it a new password and new tokens.
 */
export interface SignedInCustomer {
  /** The sign-in name: `<name>@example.com`. */
  email: string;
  /** What the API's JWT authorizer checks: `Authorization: Bearer <accessToken>`. */
  accessToken: string;
  idToken: string;
}

export interface TestCustomers {
  signIn(name: string): Promise<SignedInCustomer>;
  /** Deletes the customer from the pool (AdminDeleteUser); one that is not there is no error. */
  remove(name: string): Promise<void>;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export function testCustomers(target: UserPoolTarget): TestCustomers {
  const cognito = new CognitoIdentityProviderClient({
    region: target.region,
    ...(target.endpoint
      ? { endpoint: target.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
  });
  return {
    async remove(name) {
      try {
        await cognito.send(
          new AdminDeleteUserCommand({ UserPoolId: target.userPoolId, Username: `${name}@example.com` }),
        );
      } catch (error) {
        if (!(error instanceof UserNotFoundException)) throw error;
      }
    },
    async signIn(name) {
      if (!NAME.test(name)) {
        throw new Error(
          `A test customer's name is 1 to 64 of a-z, 0-9, ".", "_" and "-", starting with a letter or digit: "${name}"`,
        );
      }
      const email = `${name}@example.com`;
      // Meets any Cognito password policy: upper and lower case, digits and a symbol.
      const password = `Aa1!${randomBytes(18).toString('base64url')}`;
      try {
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: target.userPoolId,
            Username: email,
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: email },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
      } catch (error) {
        if (!(error instanceof UsernameExistsException)) throw error;
      }
      await cognito.send(
        new AdminSetUserPasswordCommand({
          UserPoolId: target.userPoolId,
          Username: email,
          Password: password,
          Permanent: true,
        }),
      );
      const { AuthenticationResult: tokens } = await cognito.send(
        new InitiateAuthCommand({
          ClientId: target.clientId,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: email, PASSWORD: password },
        }),
      );
      if (!tokens?.AccessToken || !tokens.IdToken) {
        throw new Error(`Signing in ${email} gave no tokens (a challenge was asked instead)`);
      }
      return { email, accessToken: tokens.AccessToken, idToken: tokens.IdToken };
    },
  };
}
