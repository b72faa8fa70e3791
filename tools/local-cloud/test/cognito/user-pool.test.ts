import { createHmac } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminCreateUserCommand,
  AdminDeleteUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CodeMismatchException,
  type CognitoIdentityProviderClient,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  GetUserCommand,
  InitiateAuthCommand,
  ListUsersCommand,
  RespondToAuthChallengeCommand,
  SignUpCommand,
  UnsupportedOperationException,
  UserNotConfirmedException,
  UserNotFoundException,
  UsernameExistsException,
} from '@aws-sdk/client-cognito-identity-provider';
import { describe, expect, it } from 'vitest';
import {
  ADMIN_CLIENT_ID,
  aPool,
  CLIENT_ID,
  CLIENT_SECRET,
  PASSWORD,
  POOL_ID,
  SECRET_CLIENT_ID,
  STRICT_CLIENT_ID,
  startUserPools,
} from './fixtures.ts';

/**
 * The local user pool's Cognito API, driven by the real SDK client: sign-up and its confirmation
 * code, password sign-in, the administrator's actions, and what is refused as not emulated.
 */
const signIn = (
  client: CognitoIdentityProviderClient,
  email: string,
  password = PASSWORD,
  clientId = CLIENT_ID,
) =>
  client.send(
    new InitiateAuthCommand({
      ClientId: clientId,
      AuthFlow: 'USER_PASSWORD_AUTH',
      AuthParameters: { USERNAME: email, PASSWORD: password },
    }),
  );

/** A refusal with Cognito's error name and message. */
const refusal = (name: string, message: string) => expect.objectContaining({ name, message });

const signUp = (client: CognitoIdentityProviderClient, email: string, password = PASSWORD) =>
  client.send(new SignUpCommand({ ClientId: CLIENT_ID, Username: email, Password: password }));

async function createConfirmed(client: CognitoIdentityProviderClient, email: string) {
  await client.send(
    new AdminCreateUserCommand({
      UserPoolId: POOL_ID,
      Username: email,
      MessageAction: 'SUPPRESS',
      UserAttributes: [{ Name: 'email_verified', Value: 'true' }],
    }),
  );
  await client.send(
    new AdminSetUserPasswordCommand({
      UserPoolId: POOL_ID,
      Username: email,
      Password: PASSWORD,
      Permanent: true,
    }),
  );
}

describe('sign-up', () => {
  it('creates an unconfirmed user whose username is its sub, logs the code, and signs it in once confirmed', async () => {
    const { client, codeFor } = await startUserPools();

    const signedUp = await signUp(client, 'ada@example.com');
    expect(signedUp).toMatchObject({
      UserConfirmed: false,
      UserSub: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/),
      CodeDeliveryDetails: { Destination: 'a***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' },
    });
    await expect(signIn(client, 'ada@example.com')).rejects.toThrow(UserNotConfirmedException);

    await client.send(
      new ConfirmSignUpCommand({
        ClientId: CLIENT_ID,
        Username: 'ada@example.com',
        ConfirmationCode: codeFor('ada@example.com'),
      }),
    );
    const user = await client.send(
      new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'ada@example.com' }),
    );
    expect(user).toMatchObject({ Username: signedUp.UserSub, UserStatus: 'CONFIRMED', Enabled: true });
    expect(user.UserCreateDate).toBeInstanceOf(Date);
    expect(user.UserAttributes).toEqual(
      expect.arrayContaining([
        { Name: 'sub', Value: signedUp.UserSub },
        { Name: 'email', Value: 'ada@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]),
    );
    const { AuthenticationResult } = await signIn(client, 'ADA@example.com');
    expect(AuthenticationResult).toMatchObject({ TokenType: 'Bearer', ExpiresIn: 3600 });
  });

  it('refuses a wrong confirmation code, and a confirmation of a confirmed user', async () => {
    const { client, codeFor } = await startUserPools();
    await signUp(client, 'bob@example.com');
    const confirm = (code: string) =>
      client.send(
        new ConfirmSignUpCommand({
          ClientId: CLIENT_ID,
          Username: 'bob@example.com',
          ConfirmationCode: code,
        }),
      );
    const right = codeFor('bob@example.com');

    await expect(confirm(right === '000000' ? '111111' : '000000')).rejects.toThrow(CodeMismatchException);
    await confirm(right);
    await expect(confirm(right)).rejects.toThrow(
      expect.objectContaining({
        name: 'NotAuthorizedException',
        message: 'User cannot be confirmed. Current status is CONFIRMED',
      }),
    );
  });

  it('lets an administrator confirm a sign-up without its code', async () => {
    const { client } = await startUserPools();
    await signUp(client, 'cy@example.com');
    await client.send(new AdminConfirmSignUpCommand({ UserPoolId: POOL_ID, Username: 'cy@example.com' }));
    await expect(signIn(client, 'cy@example.com')).resolves.toHaveProperty(
      'AuthenticationResult.AccessToken',
    );
  });

  it('refuses a password against the pool policy, naming the rule broken', async () => {
    const { client } = await startUserPools();
    await expect(signUp(client, 'dee@example.com', 'Short-1')).rejects.toThrow(
      refusal('InvalidPasswordException', 'Password did not conform with policy: Password not long enough'),
    );
    await expect(signUp(client, 'dee@example.com', 'no-uppercase-1')).rejects.toThrow(
      'Password did not conform with policy: Password must have uppercase characters',
    );
    await expect(signUp(client, 'dee@example.com', 'NoSymbolsHere1')).rejects.toThrow(
      'Password did not conform with policy: Password must have symbol characters',
    );
  });

  it('refuses a username that is not an email, and an email already signed up', async () => {
    const { client } = await startUserPools();
    await expect(signUp(client, 'just-a-name')).rejects.toThrow(
      refusal('InvalidParameterException', 'Username should be an email.'),
    );
    await signUp(client, 'eve@example.com');
    await expect(signUp(client, 'Eve@example.com')).rejects.toThrow(UsernameExistsException);
  });

  it('refuses self sign-up in a pool where only administrators create users', async () => {
    const { client } = await startUserPools({ pools: [aPool({ allowAdminCreateUserOnly: true })] });
    await expect(signUp(client, 'fay@example.com')).rejects.toThrow(
      expect.objectContaining({
        name: 'NotAuthorizedException',
        message: 'SignUp is not permitted for this user pool',
      }),
    );
  });
});

describe('password sign-in', () => {
  it("answers a wrong password with Cognito's NotAuthorizedException", async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'gus@example.com');
    await expect(signIn(client, 'gus@example.com', 'Wrong-Password-1')).rejects.toThrow(
      refusal('NotAuthorizedException', 'Incorrect username or password.'),
    );
  });

  it('answers an unknown user UserNotFoundException, or as a wrong password where the client prevents existence errors', async () => {
    const { client } = await startUserPools();
    await expect(signIn(client, 'nobody@example.com')).rejects.toThrow(UserNotFoundException);
    await expect(signIn(client, 'nobody@example.com', PASSWORD, STRICT_CLIENT_ID)).rejects.toThrow(
      'Incorrect username or password.',
    );
  });

  it('refuses a flow the app client does not allow', async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'hal@example.com');
    await expect(signIn(client, 'hal@example.com', PASSWORD, ADMIN_CLIENT_ID)).rejects.toThrow(
      refusal('InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client'),
    );
    await expect(
      client.send(
        new AdminInitiateAuthCommand({
          UserPoolId: POOL_ID,
          ClientId: CLIENT_ID,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'hal@example.com', PASSWORD },
        }),
      ),
    ).rejects.toThrow('ADMIN_USER_PASSWORD_AUTH flow not enabled for this client');
  });

  it('signs in with ADMIN_USER_PASSWORD_AUTH where the client allows it', async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'ida@example.com');
    const { AuthenticationResult } = await client.send(
      new AdminInitiateAuthCommand({
        UserPoolId: POOL_ID,
        ClientId: ADMIN_CLIENT_ID,
        AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
        AuthParameters: { USERNAME: 'ida@example.com', PASSWORD },
      }),
    );
    expect(AuthenticationResult).toMatchObject({ ExpiresIn: 300, RefreshToken: expect.any(String) });
  });

  it('asks a client with a secret for the SECRET_HASH of the username', async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'jo@example.com');
    const secretHash = createHmac('sha256', CLIENT_SECRET)
      .update(`jo@example.com${SECRET_CLIENT_ID}`)
      .digest('base64');
    const withHash = (hash?: string) =>
      client.send(
        new InitiateAuthCommand({
          ClientId: SECRET_CLIENT_ID,
          AuthFlow: 'USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'jo@example.com', PASSWORD, ...(hash ? { SECRET_HASH: hash } : {}) },
        }),
      );

    await expect(withHash()).rejects.toThrow(
      `Client ${SECRET_CLIENT_ID} is configured with secret but SECRET_HASH was not received`,
    );
    await expect(withHash('d3Jvbmc=')).rejects.toThrow(
      `Unable to verify secret hash for client ${SECRET_CLIENT_ID}`,
    );
    await expect(withHash(secretHash)).resolves.toHaveProperty('AuthenticationResult.IdToken');
  });

  it('answers an unknown app client ResourceNotFoundException', async () => {
    const { client } = await startUserPools();
    await expect(signIn(client, 'kim@example.com', PASSWORD, 'unknownclient0000000000001')).rejects.toThrow(
      refusal('ResourceNotFoundException', 'User pool client unknownclient0000000000001 does not exist.'),
    );
  });
});

describe('a user an administrator creates', () => {
  it('must choose a new password at the first sign-in, then gets tokens', async () => {
    const { client } = await startUserPools();
    const { User } = await client.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: 'lea@example.com',
        TemporaryPassword: 'Temporary-Pass-1',
        MessageAction: 'SUPPRESS',
      }),
    );
    expect(User).toMatchObject({ UserStatus: 'FORCE_CHANGE_PASSWORD', Enabled: true });

    const challenge = await signIn(client, 'lea@example.com', 'Temporary-Pass-1');
    expect(challenge).toMatchObject({
      ChallengeName: 'NEW_PASSWORD_REQUIRED',
      Session: expect.any(String),
      ChallengeParameters: { USER_ID_FOR_SRP: User?.Username, requiredAttributes: '[]' },
    });
    expect(JSON.parse(challenge.ChallengeParameters?.userAttributes ?? '')).toEqual({
      email: 'lea@example.com',
    });
    const answer = () =>
      client.send(
        new RespondToAuthChallengeCommand({
          ClientId: CLIENT_ID,
          ChallengeName: 'NEW_PASSWORD_REQUIRED',
          Session: challenge.Session,
          ChallengeResponses: { USERNAME: 'lea@example.com', NEW_PASSWORD: PASSWORD },
        }),
      );

    await expect(answer()).resolves.toHaveProperty('AuthenticationResult.AccessToken');
    await expect(answer()).rejects.toThrow('Invalid session for the user, session is expired.');
    await expect(signIn(client, 'lea@example.com')).resolves.toHaveProperty('AuthenticationResult');
  });

  it('refuses a user that already exists', async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'max@example.com');
    await expect(
      client.send(
        new AdminCreateUserCommand({
          UserPoolId: POOL_ID,
          Username: 'max@example.com',
          MessageAction: 'SUPPRESS',
        }),
      ),
    ).rejects.toThrow(refusal('UsernameExistsException', 'User account already exists'));
  });

  it('logs the temporary password of an invitation, as no mail is sent', async () => {
    const { client, logs } = await startUserPools();
    await client.send(
      new AdminCreateUserCommand({
        UserPoolId: POOL_ID,
        Username: 'ned@example.com',
        TemporaryPassword: 'Temporary-Pass-2',
      }),
    );
    expect(logs).toContainEqual(
      expect.objectContaining({
        source: 'cognito',
        message: expect.stringContaining(
          'invitation for ned@example.com: temporary password Temporary-Pass-2',
        ),
      }),
    );
  });
});

describe('users', () => {
  it('GetUser reads the user of an access token, and refuses an ID token', async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'ora@example.com');
    const { AuthenticationResult: tokens } = await signIn(client, 'ora@example.com');

    const user = await client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken }));
    expect(user.UserAttributes).toContainEqual({ Name: 'email', Value: 'ora@example.com' });
    await expect(client.send(new GetUserCommand({ AccessToken: tokens?.IdToken }))).rejects.toThrow(
      refusal('NotAuthorizedException', 'Invalid Access Token'),
    );
  });

  it('deletes a user: its tokens then name no one', async () => {
    const { client } = await startUserPools();
    await createConfirmed(client, 'pat@example.com');
    const { AuthenticationResult: tokens } = await signIn(client, 'pat@example.com');

    await client.send(new AdminDeleteUserCommand({ UserPoolId: POOL_ID, Username: 'pat@example.com' }));
    await expect(client.send(new GetUserCommand({ AccessToken: tokens?.AccessToken }))).rejects.toThrow(
      UserNotFoundException,
    );
    await expect(
      client.send(new AdminGetUserCommand({ UserPoolId: POOL_ID, Username: 'pat@example.com' })),
    ).rejects.toThrow('User does not exist.');
  });

  it('lists users by filter, a page at a time, with the attributes asked for', async () => {
    const { client } = await startUserPools();
    for (const name of ['quinn', 'quincy', 'rosa']) await createConfirmed(client, `${name}@example.com`);

    const exact = await client.send(
      new ListUsersCommand({ UserPoolId: POOL_ID, Filter: 'email = "rosa@example.com"' }),
    );
    expect(exact.Users?.map((user) => user.Attributes?.find(({ Name }) => Name === 'email')?.Value)).toEqual([
      'rosa@example.com',
    ]);
    const first = await client.send(
      new ListUsersCommand({
        UserPoolId: POOL_ID,
        Filter: 'email ^= "quin"',
        Limit: 1,
        AttributesToGet: ['email'],
      }),
    );
    expect(first.Users).toEqual([
      expect.objectContaining({
        Attributes: [{ Name: 'email', Value: 'quinn@example.com' }],
        UserStatus: 'CONFIRMED',
      }),
    ]);
    const second = await client.send(
      new ListUsersCommand({
        UserPoolId: POOL_ID,
        Filter: 'email ^= "quin"',
        Limit: 1,
        PaginationToken: first.PaginationToken,
      }),
    );
    expect(second.Users?.[0]?.Attributes).toContainEqual({ Name: 'email', Value: 'quincy@example.com' });
    expect(second.PaginationToken).toBeUndefined();
    await expect(
      client.send(new ListUsersCommand({ UserPoolId: POOL_ID, Filter: 'custom:tier = "gold"' })),
    ).rejects.toThrow('Invalid search attribute');
  });

  it('answers an unknown pool ResourceNotFoundException', async () => {
    const { client } = await startUserPools();
    await expect(client.send(new ListUsersCommand({ UserPoolId: 'eu-west-1_Unknown00' }))).rejects.toThrow(
      'User pool eu-west-1_Unknown00 does not exist.',
    );
  });
});

describe('what is not emulated', () => {
  it('refuses USER_SRP_AUTH loudly, saying to sign in with USER_PASSWORD_AUTH', async () => {
    const { client, logs } = await startUserPools();
    const srp = client.send(
      new InitiateAuthCommand({
        ClientId: CLIENT_ID,
        AuthFlow: 'USER_SRP_AUTH',
        AuthParameters: { USERNAME: 'a@example.com', SRP_A: 'ab' },
      }),
    );
    await expect(srp).rejects.toThrow(UnsupportedOperationException);
    await expect(srp).rejects.toThrow(
      'USER_SRP_AUTH (InitiateAuth) is not emulated by the local user pool: sign in with USER_PASSWORD_AUTH, which this app client allows',
    );
    expect(logs).toContainEqual(
      expect.objectContaining({ level: 'WARN', message: expect.stringContaining('USER_SRP_AUTH') }),
    );
  });

  it('refuses an action it does not serve, naming the ones it does', async () => {
    const { client } = await startUserPools();
    await expect(
      client.send(new ForgotPasswordCommand({ ClientId: CLIENT_ID, Username: 'a@example.com' })),
    ).rejects.toThrow(
      /ForgotPassword is not emulated by the local user pool; it serves SignUp, ConfirmSignUp, InitiateAuth/,
    );
  });
});
