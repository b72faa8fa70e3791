import { describe, expect, it } from 'vitest';
import {
  MAX_APP_NAME_LENGTH,
  renameText,
  replacements,
  spellings,
  validateAppName,
  validateScope,
} from '../src/rename-names.mjs';

// Fictional names, not the repository's own: the rename test renames this file in its copy too.
const from = { scope: '@corner', app: 'corner-store' };
const to = { scope: '@acme', app: 'acme-shop' };

describe('rename: names', () => {
  it('accepts an npm scope with or without the @', () => {
    expect(validateScope('@acme')).toBe('@acme');
    expect(validateScope('deli-labs')).toBe('@deli-labs');
  });

  it('refuses a scope npm would refuse, and says why', () => {
    expect(() => validateScope('@Deli')).toThrow(/Invalid npm scope "@Deli": npm scopes are lowercase/);
    expect(() => validateScope('@acme/shop')).toThrow(/no "\/"/);
    expect(() => validateScope('@')).toThrow(/it is empty/);
    expect(() => validateScope('_acme')).toThrow(/cannot start with "." or "_"/);
  });

  it('accepts an app name that fits stack names, physical names, SSM paths and bucket names', () => {
    expect(validateAppName('acme-shop')).toBe('acme-shop');
    expect(validateAppName('a'.repeat(MAX_APP_NAME_LENGTH))).toHaveLength(MAX_APP_NAME_LENGTH);
  });

  it('refuses app names AWS would refuse somewhere, naming the rule', () => {
    expect(() => validateAppName('Deli-Store')).toThrow(/lowercase letters, digits and single dashes/);
    expect(() => validateAppName('acme_shop')).toThrow(/lowercase letters/);
    expect(() => validateAppName('1shop')).toThrow(/starting with a letter/);
    expect(() => validateAppName('acme--shop')).toThrow(/single dashes/);
    expect(() => validateAppName('acme-')).toThrow(/not ending with a dash/);
    expect(() => validateAppName('ab')).toThrow(/at least 3/);
    expect(() => validateAppName('a'.repeat(MAX_APP_NAME_LENGTH + 1))).toThrow(/at most 19 characters.*64/);
    expect(() => validateAppName('aws-shop')).toThrow(/SSM parameter paths cannot start with "aws"/);
    expect(() => validateAppName('xn--shop')).toThrow(/S3 reserves/);
  });

  it('knows every spelling of an app name the code and docs use', () => {
    expect(spellings('corner-store')).toEqual([
      'corner-store',
      'CornerStore',
      'cornerStore',
      'corner_store',
      'CORNER_STORE',
      'Corner Store',
      'Corner store',
      'corner store',
    ]);
  });

  it('renames the scope and each spelling of the app name in one pass', () => {
    const text = [
      'import { x } from "@corner/shared";',
      'npm scope `@corner`; app corner-store; stack corner-store-dev-alice-data',
      'class CornerStoreStage; const cornerStoreApp; CORNER_STORE_TABLE; corner_store',
      '# Corner Store, a corner store. Corner store is / SSM /corner-store/prod/ / source corner-store.orders',
      'new CornerStoreStage(); newCornerStore',
    ].join('\n');
    expect(renameText(text, replacements(from, to))).toBe(
      [
        'import { x } from "@acme/shared";',
        'npm scope `@acme`; app acme-shop; stack acme-shop-dev-alice-data',
        'class AcmeShopStage; const acmeShopApp; ACME_SHOP_TABLE; acme_shop',
        '# Acme Shop, a acme shop. Acme shop is / SSM /acme-shop/prod/ / source acme-shop.orders',
        'new AcmeShopStage(); newAcmeShop',
      ].join('\n'),
    );
  });

  it('leaves words that only contain an old name alone', () => {
    const pairs = replacements({ scope: '@deli', app: 'deli' }, { scope: '@acme', app: 'acme-deli' });
    expect(renameText('@delivery/x adeli delis deli-bus @deli/shared', pairs)).toBe(
      '@delivery/x adeli delis acme-deli-bus @acme/shared',
    );
  });

  it('does not rename its own output when the new name contains the old one', () => {
    const pairs = replacements({ scope: '@deli', app: 'deli' }, { scope: '@acme', app: 'acme-deli' });
    expect(renameText('deli, Deli and @deli/infra', pairs)).toBe('acme-deli, AcmeDeli and @acme/infra');
  });

  it('renames only the scope when the app keeps its name', () => {
    expect(replacements(from, { ...from, scope: '@acme' })).toEqual([{ from: '@corner', to: '@acme' }]);
  });
});
