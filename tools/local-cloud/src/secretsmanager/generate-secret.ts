import { randomInt } from 'node:crypto';

/**
 * The rules of CloudFormation's `GenerateSecretString` (and of GetRandomPassword), with AWS's
 * defaults: 32 characters of letters, digits and punctuation, at least one of each included type.
 */
export interface GenerateSecretRules {
  passwordLength?: number;
  excludeCharacters?: string;
  excludePunctuation?: boolean;
  excludeUppercase?: boolean;
  excludeLowercase?: boolean;
  excludeNumbers?: boolean;
  includeSpace?: boolean;
  requireEachIncludedType?: boolean;
}

/** Secrets Manager's punctuation: every printable ASCII character that is not a letter or a digit. */
const PUNCTUATION = '!"#$%&\'()*+,-./:;<=>?@[\\]^_`{|}~';
const LOWERCASE = 'abcdefghijklmnopqrstuvwxyz';
const UPPERCASE = LOWERCASE.toUpperCase();
const NUMBERS = '0123456789';
const MAX_LENGTH = 4096;

/** Rules no value can meet (a length out of range, every character excluded). */
export class InvalidGenerateRulesError extends Error {
  override readonly name = 'InvalidGenerateRulesError';
}

/** A random value by those rules, drawn with node:crypto (uniform per character, no modulo bias). */
export function generateSecretString(rules: GenerateSecretRules = {}): string {
  const length = rules.passwordLength ?? 32;
  if (!Number.isSafeInteger(length) || length < 1 || length > MAX_LENGTH) {
    throw new InvalidGenerateRulesError(`passwordLength must be an integer from 1 to ${MAX_LENGTH}`);
  }
  const excluded = new Set(rules.excludeCharacters ?? '');
  const keep = (characters: string) => [...characters].filter((character) => !excluded.has(character));
  const types = [
    rules.excludeLowercase ? [] : keep(LOWERCASE),
    rules.excludeUppercase ? [] : keep(UPPERCASE),
    rules.excludeNumbers ? [] : keep(NUMBERS),
    rules.excludePunctuation ? [] : keep(PUNCTUATION),
  ].filter((characters) => characters.length > 0);
  // The space is allowed, never required: AWS requires one of each type among the four above.
  const all = [...types.flat(), ...(rules.includeSpace ? keep(' ') : [])];
  if (all.length === 0) throw new InvalidGenerateRulesError('The rules exclude every character');
  const required = (rules.requireEachIncludedType ?? true) ? types : [];
  if (required.length > length) {
    throw new InvalidGenerateRulesError(
      `passwordLength ${length} is shorter than the ${required.length} character types it must include`,
    );
  }
  const pick = (characters: readonly string[]) => characters[randomInt(characters.length)] as string;
  const value = [...required.map(pick), ...Array.from({ length: length - required.length }, () => pick(all))];
  // Fisher–Yates, so the required characters are not always first.
  for (let index = value.length - 1; index > 0; index -= 1) {
    const other = randomInt(index + 1);
    [value[index], value[other]] = [value[other] as string, value[index] as string];
  }
  return value.join('');
}
