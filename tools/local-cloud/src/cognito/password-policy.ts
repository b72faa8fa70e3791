import { randomBytes, randomInt, scryptSync, timingSafeEqual } from 'node:crypto';
import { CognitoError } from './cognito-error.ts';
import type { PasswordPolicy } from './user-pool-config.ts';

/** The characters Cognito counts as symbols (a space counts too, inside the password). */
const SYMBOLS = '^$*.[]{}()?"!@#%&/\\,><\':;|_~`=+- ';
const PATTERN = /^\S(.*\S)?$/su;

/** Refuses a password as Cognito does: the API's pattern first, then the pool's policy, in its words. */
export function checkPassword(policy: PasswordPolicy, password: unknown, field = 'password'): string {
  if (
    typeof password !== 'string' ||
    password.length < 6 ||
    password.length > 256 ||
    !PATTERN.test(password)
  ) {
    throw new CognitoError(
      'InvalidParameterException',
      `1 validation error detected: Value at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$ and have length between 6 and 256`,
    );
  }
  const broken = [
    [password.length < policy.minimumLength, 'Password not long enough'],
    [policy.requireLowercase && !/[a-z]/.test(password), 'Password must have lowercase characters'],
    [policy.requireUppercase && !/[A-Z]/.test(password), 'Password must have uppercase characters'],
    [policy.requireNumbers && !/[0-9]/.test(password), 'Password must have numeric characters'],
    [
      policy.requireSymbols && ![...password].some((char) => SYMBOLS.includes(char)),
      'Password must have symbol characters',
    ],
  ] as const;
  const first = broken.find(([failed]) => failed);
  if (first)
    throw new CognitoError('InvalidPasswordException', `Password did not conform with policy: ${first[1]}`);
  return password;
}

/** A temporary password that meets any policy, for AdminCreateUser without TemporaryPassword. */
export function temporaryPassword(policy: PasswordPolicy): string {
  const pick = (alphabet: string) => alphabet[randomInt(alphabet.length)] ?? '';
  const rest = randomBytes(Math.max(policy.minimumLength, 12)).toString('base64url').replace(/[-_]/g, '');
  return `${pick('ABCDEFGHJKLMNPQRSTUVWXYZ')}${pick('abcdefghijkmnopqrstuvwxyz')}${pick('23456789')}${pick('!#%+=')}${rest}`;
}

/**
 * Passwords are kept hashed, since `--persist` writes users to disk; a light scrypt cost, as this
 * guards a developer's local data, not production accounts.
 */
export function hashPassword(password: string): string {
  const salt = randomBytes(16);
  return `${salt.toString('base64')}:${scryptSync(password, salt, 32, { N: 1024 }).toString('base64')}`;
}

export function passwordMatches(hash: string | undefined, password: unknown): boolean {
  if (hash === undefined || typeof password !== 'string') return false;
  const [salt = '', expected = ''] = hash.split(':');
  const actual = scryptSync(password, Buffer.from(salt, 'base64'), 32, { N: 1024 });
  const wanted = Buffer.from(expected, 'base64');
  return wanted.length === actual.length && timingSafeEqual(wanted, actual);
}
