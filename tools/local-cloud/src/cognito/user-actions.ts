import { randomInt, randomUUID } from 'node:crypto';
import { offsetPage } from '../kit/offset-page.ts';
import { CognitoError } from './cognito-error.ts';
import { type LocalUserPool, userType } from './local-user-pool.ts';
import { checkPassword, hashPassword, temporaryPassword } from './password-policy.ts';
import type { UserPoolClientDefinition } from './user-pool-config.ts';
import type { StoredUser } from './user-store.ts';

/**
 * The actions on a pool's users: sign-up and its confirmation, and the administrator's create, set
 * password, confirm, get, delete and list, with Cognito's inputs, outputs and errors.
 */
type Input = Record<string, unknown>;

const DAY_MS = 86_400_000;
/** A sign-up's confirmation code is valid for 24 hours. */
const CODE_VALIDITY_MS = DAY_MS;
const EMAIL = /^[^@\s]+@[^@\s]+$/;
const PHONE = /^\+\d{4,15}$/;
const MAX_LIST = 60;
/** The attributes ListUsers filters on, as Cognito documents them. */
const SEARCHABLE = new Set([
  'username',
  'email',
  'phone_number',
  'name',
  'given_name',
  'family_name',
  'preferred_username',
  'cognito:user_status',
  'status',
  'sub',
]);

export async function signUp(pool: LocalUserPool, client: UserPoolClientDefinition, input: Input) {
  pool.checkSecretHash(client, input.Username, input.SecretHash);
  if (pool.definition.allowAdminCreateUserOnly) {
    throw new CognitoError('NotAuthorizedException', 'SignUp is not permitted for this user pool');
  }
  const password = checkPassword(pool.definition.passwordPolicy, input.Password);
  const user = newUser(pool, input.Username, input.UserAttributes, 'UNCONFIRMED');
  const missing = pool.definition.requiredAttributes.find((name) => user.attributes[name] === undefined);
  if (missing) {
    throw new CognitoError(
      'InvalidParameterException',
      `Attributes did not conform to the schema: ${missing}: The attribute is required`,
    );
  }
  refuseTaken(
    pool,
    user,
    pool.definition.usernameAttributes.length > 0
      ? 'An account with the given email already exists.'
      : 'User already exists',
  );
  user.passwordHash = hashPassword(password);
  const verified = pool.definition.autoVerifiedAttributes.find((name) => user.attributes[name] !== undefined);
  if (verified)
    user.confirmation = {
      code: String(randomInt(1_000_000)).padStart(6, '0'),
      expiresAt: Date.now() + CODE_VALIDITY_MS,
    };
  pool.store.add(user);
  const destination = verified ? (user.attributes[verified] ?? '') : '';
  if (user.confirmation) {
    // No mail or SMS leaves the local cloud: the code is in the log instead.
    pool.log.info(
      `${pool.definition.name}: confirmation code for ${destination} is ${user.confirmation.code} (ConfirmSignUp with it; nothing is sent locally)`,
      {
        userPoolId: pool.definition.id,
        sub: user.sub,
      },
    );
  } else {
    pool.log.info(
      `${pool.definition.name}: ${user.username} signed up; the pool verifies no attribute, so AdminConfirmSignUp confirms it`,
    );
  }
  return {
    UserConfirmed: false,
    UserSub: user.sub,
    ...(verified
      ? {
          CodeDeliveryDetails: {
            Destination: mask(destination),
            DeliveryMedium: verified === 'email' ? 'EMAIL' : 'SMS',
            AttributeName: verified,
          },
        }
      : {}),
  };
}

export function confirmSignUp(pool: LocalUserPool, client: UserPoolClientDefinition, input: Input) {
  pool.checkSecretHash(client, input.Username, input.SecretHash);
  const user = pool.store.find(input.Username);
  if (!user) throw new CognitoError('UserNotFoundException', 'Username/client id combination not found.');
  refuseConfirmed(user);
  const { confirmation } = user;
  if (!confirmation || confirmation.code !== input.ConfirmationCode) {
    throw new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
  }
  if (confirmation.expiresAt <= Date.now()) {
    throw new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');
  }
  delete user.confirmation;
  for (const name of pool.definition.autoVerifiedAttributes) {
    if (user.attributes[name] !== undefined) user.attributes[`${name}_verified`] = 'true';
  }
  confirm(pool, user);
  return {};
}

export function adminConfirmSignUp(pool: LocalUserPool, input: Input) {
  const user = pool.user(input.Username);
  refuseConfirmed(user);
  delete user.confirmation;
  confirm(pool, user);
  return {};
}

export function adminCreateUser(pool: LocalUserPool, input: Input) {
  const { MessageAction: action } = input;
  if (action !== undefined && action !== 'SUPPRESS' && action !== 'RESEND') {
    throw new CognitoError(
      'InvalidParameterException',
      `MessageAction must be SUPPRESS or RESEND, not ${String(action)}`,
    );
  }
  const policy = pool.definition.passwordPolicy;
  const password =
    input.TemporaryPassword === undefined
      ? temporaryPassword(policy)
      : checkPassword(policy, input.TemporaryPassword, 'temporaryPassword');
  let user: StoredUser;
  if (action === 'RESEND') {
    user = pool.user(input.Username);
    if (user.status !== 'FORCE_CHANGE_PASSWORD') {
      throw new CognitoError(
        'UnsupportedUserStateException',
        `Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD`,
      );
    }
  } else {
    user = newUser(pool, input.Username, input.UserAttributes, 'FORCE_CHANGE_PASSWORD');
    refuseTaken(pool, user, 'User account already exists');
    pool.store.add(user);
  }
  user.passwordHash = hashPassword(password);
  user.temporaryPasswordExpiresAt = Date.now() + policy.temporaryPasswordValidityDays * DAY_MS;
  user.modifiedAt = Date.now();
  pool.store.save();
  if (action !== 'SUPPRESS') {
    // Cognito would mail the invitation: locally the temporary password is in the log.
    pool.log.info(
      `${pool.definition.name}: invitation for ${user.attributes.email ?? user.username}: temporary password ${password} (nothing is sent locally)`,
      {
        userPoolId: pool.definition.id,
        sub: user.sub,
      },
    );
  }
  return { User: userType(user) };
}

export function adminSetUserPassword(pool: LocalUserPool, input: Input) {
  const user = pool.user(input.Username);
  user.passwordHash = hashPassword(checkPassword(pool.definition.passwordPolicy, input.Password));
  if (input.Permanent === true) {
    user.status = 'CONFIRMED';
    delete user.temporaryPasswordExpiresAt;
    delete user.confirmation;
  } else {
    user.status = 'FORCE_CHANGE_PASSWORD';
    user.temporaryPasswordExpiresAt =
      Date.now() + pool.definition.passwordPolicy.temporaryPasswordValidityDays * DAY_MS;
  }
  user.modifiedAt = Date.now();
  pool.store.save();
  return {};
}

export function adminGetUser(pool: LocalUserPool, input: Input) {
  const { Attributes, ...rest } = userType(pool.user(input.Username));
  return { ...rest, UserAttributes: Attributes };
}

export function adminDeleteUser(pool: LocalUserPool, input: Input) {
  pool.store.delete(pool.user(input.Username));
  return {};
}

export function listUsers(pool: LocalUserPool, input: Input) {
  const limit = input.Limit === undefined ? MAX_LIST : Number(input.Limit);
  if (!Number.isInteger(limit) || limit < 0 || limit > MAX_LIST) {
    throw new CognitoError(
      'InvalidParameterException',
      `1 validation error detected: Value '${String(input.Limit)}' at 'limit' failed to satisfy constraint: Member must have value less than or equal to ${MAX_LIST}`,
    );
  }
  const only = input.AttributesToGet === undefined ? undefined : (input.AttributesToGet as string[]);
  const matches = compileFilter(input.Filter);
  const users = pool.store.all().filter(matches);
  const paged = offsetPage(users, input.PaginationToken, limit);
  if (!paged) throw new CognitoError('InvalidParameterException', 'Invalid pagination token');
  return {
    Users: paged.page.map((user) => userType(user, only)),
    ...(paged.nextToken ? { PaginationToken: paged.nextToken } : {}),
  };
}

/** `email = "a@b.c"` or `email ^= "a"`: Cognito's filter, on the attributes it searches. */
function compileFilter(filter: unknown): (user: StoredUser) => boolean {
  if (filter === undefined || filter === '') return () => true;
  const parsed = /^\s*([\w:]+)\s*(=|\^=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(String(filter));
  if (!parsed) throw new CognitoError('InvalidParameterException', 'Error while parsing filter.');
  const [, attribute = '', operator, value = ''] = parsed;
  if (!SEARCHABLE.has(attribute))
    throw new CognitoError('InvalidParameterException', 'Invalid search attribute');
  const searched = (user: StoredUser): string | undefined => {
    if (attribute === 'username') return user.username;
    if (attribute === 'sub') return user.sub;
    if (attribute === 'cognito:user_status') return user.status;
    if (attribute === 'status') return user.enabled ? 'Enabled' : 'Disabled';
    return user.attributes[attribute];
  };
  return (user) => {
    const actual = searched(user);
    if (actual === undefined) return false;
    return operator === '=' ? actual === value : actual.startsWith(value);
  };
}

/**
 * A user as a sign-up or an administrator creates it. When the pool signs in with email or phone
 * number, the name given must be one, it becomes that attribute, and the username is the `sub`.
 */
function newUser(
  pool: LocalUserPool,
  name: unknown,
  attributeList: unknown,
  status: StoredUser['status'],
): StoredUser {
  if (typeof name !== 'string' || name === '' || name.length > 128 || /\s/.test(name)) {
    throw new CognitoError(
      'InvalidParameterException',
      "1 validation error detected: Value at 'username' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+",
    );
  }
  const attributes = toAttributes(attributeList);
  const sub = randomUUID();
  const signInWith = pool.definition.usernameAttributes;
  let username = name;
  if (signInWith.length > 0) {
    const attribute =
      signInWith.includes('email') && EMAIL.test(name)
        ? 'email'
        : signInWith.includes('phone_number') && PHONE.test(name)
          ? 'phone_number'
          : undefined;
    if (!attribute) {
      throw new CognitoError(
        'InvalidParameterException',
        signInWith.length > 1
          ? 'Username should be either an email or a phone number.'
          : signInWith[0] === 'email'
            ? 'Username should be an email.'
            : 'Username should be a phone number.',
      );
    }
    attributes[attribute] = name;
    username = sub;
  }
  const now = Date.now();
  return { username, sub, attributes, status, enabled: true, createdAt: now, modifiedAt: now };
}

function toAttributes(list: unknown): Record<string, string> {
  const attributes: Record<string, string> = {};
  for (const item of (list ?? []) as { Name?: unknown; Value?: unknown }[]) {
    if (typeof item?.Name !== 'string' || typeof item.Value !== 'string') {
      throw new CognitoError('InvalidParameterException', 'Each user attribute needs a Name and a Value');
    }
    if (item.Name === 'sub')
      throw new CognitoError('InvalidParameterException', 'Cannot modify the non-mutable attribute sub');
    attributes[item.Name] = item.Value;
  }
  return attributes;
}

function refuseTaken(pool: LocalUserPool, user: StoredUser, message: string): void {
  const names = [user.username, ...pool.definition.usernameAttributes.map((name) => user.attributes[name])];
  if (names.some((name) => name !== undefined && pool.store.find(name))) {
    throw new CognitoError('UsernameExistsException', message);
  }
}

function refuseConfirmed(user: StoredUser): void {
  if (user.status !== 'UNCONFIRMED') {
    throw new CognitoError(
      'NotAuthorizedException',
      `User cannot be confirmed. Current status is ${user.status}`,
    );
  }
}

function confirm(pool: LocalUserPool, user: StoredUser): void {
  user.status = 'CONFIRMED';
  user.modifiedAt = Date.now();
  pool.store.save();
  pool.log.info(`${pool.definition.name}: ${user.username} confirmed`, {
    userPoolId: pool.definition.id,
    sub: user.sub,
  });
}

/** `a***@e***`, as Cognito shows where it sent a code. */
function mask(destination: string): string {
  const [local = '', domain] = destination.split('@');
  return domain === undefined
    ? `+*******${destination.slice(-4)}`
    : `${local.slice(0, 1)}***@${domain.slice(0, 1)}***`;
}
