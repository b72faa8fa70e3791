import { describe, expect, it } from 'vitest';
import { generateSecretString, InvalidGenerateRulesError } from '../../src/secretsmanager/generate-secret.ts';

const draws = (count: number, rules: Parameters<typeof generateSecretString>[0]) =>
  Array.from({ length: count }, () => generateSecretString(rules));

describe('a generated secret value', () => {
  it('is 32 characters with a lowercase and an uppercase letter, a digit and a punctuation mark by default', () => {
    for (const value of draws(200, {})) {
      expect(value).toHaveLength(32);
      expect(value).toMatch(/[a-z]/);
      expect(value).toMatch(/[A-Z]/);
      expect(value).toMatch(/[0-9]/);
      expect(value).toMatch(/[^A-Za-z0-9]/);
      expect(value).not.toContain(' ');
    }
  });

  it('leaves out the excluded character types and characters', () => {
    const value = draws(200, {
      passwordLength: 64,
      excludeUppercase: true,
      excludeNumbers: true,
      excludeCharacters: 'abc!"\'\\',
    }).join('');
    expect(value).toMatch(/^[d-z#$%&()*+,\-./:;<=>?@[\]^_`{|}~]+$/);
  });

  it('draws every allowed character: 44 alphanumeric characters use all 62', () => {
    const seen = new Set(draws(200, { passwordLength: 44, excludePunctuation: true }).join(''));
    expect(seen.size).toBe(62);
  });

  it('may include spaces when asked to', () => {
    const value = draws(50, { passwordLength: 100, includeSpace: true }).join('');
    expect(value).toContain(' ');
  });

  it('refuses rules no value can meet', () => {
    expect(() => generateSecretString({ passwordLength: 0 })).toThrow(InvalidGenerateRulesError);
    expect(() => generateSecretString({ passwordLength: 4097 })).toThrow(InvalidGenerateRulesError);
    expect(() => generateSecretString({ passwordLength: 3 })).toThrow(/4 character types/);
    expect(() =>
      generateSecretString({
        excludeLowercase: true,
        excludeUppercase: true,
        excludeNumbers: true,
        excludePunctuation: true,
      }),
    ).toThrow(/every character/);
    expect(generateSecretString({ passwordLength: 3, requireEachIncludedType: false })).toHaveLength(3);
  });
});
