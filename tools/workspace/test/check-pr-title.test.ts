import { describe, expect, it } from 'vitest';
import { titleProblem } from '../src/check-pr-title.ts';

describe('pull request titles', () => {
  it('accepts Conventional Commits titles, with or without a scope or a breaking-change mark', () => {
    for (const title of [
      'feat: preview stages per pull request',
      'fix(orders): refuse an empty order',
      'refactor(shared-lib)!: one handler wrapper',
      'ci: pin actions to commit SHAs',
    ]) {
      expect(titleProblem(title), title).toBeUndefined();
    }
  });

  it('refuses other titles and says what a good one looks like', () => {
    for (const title of [
      'Add preview stages',
      'feature: x',
      'fix:missing space',
      'fix(Orders): x',
      'feat: ',
      '',
    ]) {
      expect(titleProblem(title), title).toMatch(
        /is not a Conventional Commits title.*feat\(orders\): cancel/,
      );
    }
  });
});
