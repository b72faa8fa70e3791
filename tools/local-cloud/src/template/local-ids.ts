import { createHash } from 'node:crypto';

/**
 * Ids AWS would make up at creation (a user pool's, an app client's, the suffix of a secret's
 * ARN), derived from where the resource is declared instead: the same template gets the same ids
 * on every start, so tokens, users and secrets kept by `--persist` still match them.
 */
const LETTERS_AND_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const LOWERCASE_AND_DIGITS = 'abcdefghijklmnopqrstuvwxyz0123456789';
const HEX_DIGITS = '0123456789abcdef';

function stableId(seed: string, length: number, alphabet: string): string {
  const bytes = createHash('sha512').update(seed).digest();
  return [...bytes.subarray(0, length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** `<region>_<9 letters or digits>`, as Cognito names a pool. */
export const userPoolId = (region: string, seed: string) =>
  `${region}_${stableId(seed, 9, LETTERS_AND_DIGITS)}`;

/** 26 lowercase letters and digits, as Cognito names an app client. */
export const userPoolClientId = (seed: string) => stableId(seed, 26, LOWERCASE_AND_DIGITS);

/** An app client's secret, for a client the template asks one for (GenerateSecret). */
export const userPoolClientSecret = (seed: string) => stableId(`${seed}/secret`, 51, LOWERCASE_AND_DIGITS);

/** The 6 characters Secrets Manager appends to a secret's name in its ARN. */
export const secretArnSuffix = (seed: string) => stableId(seed, 6, LETTERS_AND_DIGITS);

/** A name CloudFormation gives a secret the template does not name. */
export const secretNameSuffix = (seed: string) => stableId(seed, 12, LETTERS_AND_DIGITS);

/** API Gateway's ids of an API's resources (an authorizer's): lowercase letters and digits. */
export const apiResourceId = (seed: string) => stableId(seed, 6, LOWERCASE_AND_DIGITS);

/** Lambda's UUID of an event source mapping: 8-4-4-4-12 lowercase hex digits. */
export function eventSourceMappingUuid(seed: string): string {
  const hex = stableId(seed, 32, HEX_DIGITS);
  return [hex.slice(0, 8), hex.slice(8, 12), hex.slice(12, 16), hex.slice(16, 20), hex.slice(20)].join('-');
}
