import type { ProjectNames } from '../src/rename-names.mjs';

/**
 * Names to rename this repository to in a test, unlike its current ones, so the tests still rename
 * something in a repository already renamed to the first candidate.
 */
export function namesOtherThan(current: ProjectNames): ProjectNames {
  const candidates = [
    { scope: '@acme', app: 'acme-shop' },
    { scope: '@globex', app: 'globex-store' },
    { scope: '@initech', app: 'initech-shop' },
  ];
  const other = candidates.find(({ scope, app }) => scope !== current.scope && app !== current.app);
  if (!other) throw new Error('Every candidate name is taken');
  return other;
}
