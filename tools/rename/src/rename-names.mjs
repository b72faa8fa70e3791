/**
 * The names `npm run rename` changes, how each is validated, and every spelling of the app name it
 * rewrites. Pure: no file system, so each rule is tested with plain inputs.
 *
 * Plain JavaScript with JSDoc types, not TypeScript: rename runs before `npm ci`, on the system Node,
 * which may not strip types (Node 20 and 22 without a flag); tsc still checks the JSDoc (checkJs).
 */

/**
 * The npm scope of every workspace package (`@shop`) and the app name (`serverless-commerce`).
 * @typedef {{ readonly scope: string, readonly app: string }} ProjectNames
 */

/**
 * Longest app name. The tightest physical name is the EventBridge rule
 * `<app>-<stage>-domain-events-to-stream` (rule names: at most 64 characters) with a stage of up to
 * 20 characters (`dev-<16>`), which leaves 19 for the app. Shorter names leave room for longer stages.
 */
export const MAX_APP_NAME_LENGTH = 19;

export class InvalidNameError extends Error {
  /** @override @readonly */
  name = 'InvalidNameError';
}

/**
 * `@acme` (or `acme`) → `@acme`, or an InvalidNameError saying which npm rule it breaks.
 * @param {string} input
 * @returns {string}
 */
export function validateScope(input) {
  const scope = input.startsWith('@') ? input : `@${input}`;
  const bare = scope.slice(1);
  /** @type {string[]} */
  const problems = [];
  if (bare === '') problems.push('it is empty');
  if (bare !== bare.toLowerCase()) problems.push('npm scopes are lowercase');
  if (/^[._]/.test(bare)) problems.push('it cannot start with "." or "_"');
  if (bare !== '' && !/^[a-z0-9._~-]+$/i.test(bare)) {
    problems.push('only letters, digits, "-", ".", "_" and "~" are allowed (no "/", spaces or "@")');
  }
  // The longest package name is `<scope>/payments`: npm names are at most 214 characters.
  if (scope.length > 200) problems.push('it is longer than 200 characters');
  if (problems.length > 0) {
    throw new InvalidNameError(
      `Invalid npm scope "${input}": ${problems.join('; ')}. Example: --scope @acme`,
    );
  }
  return scope;
}

/**
 * An app name usable everywhere the app puts it: the root package name, CloudFormation stack names
 * (`<app>-<stage>-data`), physical names, SSM paths (`/<app>/<stage>/...`), the S3 bucket names
 * CloudFormation derives from the stack name, and event sources (`<app>.<service>`).
 * @param {string} input
 * @returns {string}
 */
export function validateAppName(input) {
  /** @type {string[]} */
  const problems = [];
  if (!/^[a-z][a-z0-9]*(?:-[a-z0-9]+)*$/.test(input)) {
    problems.push(
      'use lowercase letters, digits and single dashes, starting with a letter and not ending with a dash ' +
        '(CloudFormation stack names, S3 bucket names and npm package names all accept that)',
    );
  }
  if (input.length < 3) problems.push('use at least 3 characters');
  if (input.length > MAX_APP_NAME_LENGTH) {
    problems.push(
      `use at most ${MAX_APP_NAME_LENGTH} characters (it has ${input.length}): the longest physical name, ` +
        '<app>-<stage>-domain-events-to-stream, must fit the 64 characters of an EventBridge rule name',
    );
  }
  if (/^(?:aws|ssm)/.test(input)) problems.push('SSM parameter paths cannot start with "aws" or "ssm"');
  if (/^(?:xn--|sthree-|amzn-s3-demo-)/.test(input)) problems.push('S3 reserves this bucket name prefix');
  if (problems.length > 0) {
    throw new InvalidNameError(
      `Invalid app name "${input}": ${problems.join('; ')}. Example: --app acme-shop`,
    );
  }
  return input;
}

/** @param {string} word */
const capitalize = (word) => word.charAt(0).toUpperCase() + word.slice(1);

/**
 * Every spelling of an app name the code and docs use: `serverless-commerce` (packages, stacks,
 * SSM paths, event sources), `ServerlessCommerce` (classes, metric namespaces), `serverlessCommerce`,
 * `serverless_commerce`, `SERVERLESS_COMMERCE`, and prose: `Serverless Commerce`,
 * `Serverless commerce`, `serverless commerce`.
 * @param {string} app
 * @returns {string[]}
 */
export function spellings(app) {
  const words = app.split('-');
  const [first = '', ...rest] = words;
  return [
    words.join('-'),
    words.map(capitalize).join(''),
    first + rest.map(capitalize).join(''),
    words.join('_'),
    words.join('_').toUpperCase(),
    words.map(capitalize).join(' '),
    [capitalize(first), ...rest].join(' '),
    words.join(' '),
  ];
}

/** @typedef {{ readonly from: string, readonly to: string }} Replacement */

/**
 * Old spelling → new spelling, for the scope and each spelling of the app name; unchanged ones left out.
 * @param {ProjectNames} from
 * @param {ProjectNames} to
 * @returns {Replacement[]}
 */
export function replacements(from, to) {
  /** @type {Map<string, string>} */
  const pairs = new Map();
  if (from.scope !== to.scope) pairs.set(from.scope, to.scope);
  if (from.app !== to.app) {
    const old = spellings(from.app);
    const renamed = spellings(to.app);
    old.forEach((spelling, i) => {
      if (!pairs.has(spelling)) pairs.set(spelling, renamed[i] ?? spelling);
    });
  }
  return [...pairs].map(([fromText, toText]) => ({ from: fromText, to: toText }));
}

/** @param {string} text */
const escapeRegExp = (text) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * One pass over a text: every old spelling that stands alone is replaced, longest first, and
 * replaced text is never matched again, so a new name that contains the old one (`shop` → `acme-shop`)
 * is not rewritten twice. "Alone" means no lowercase letter or digit right after, nor right before
 * unless the spelling starts a new word with a capital: `ServerlessCommerceStage`,
 * `newServerlessCommerce` and `serverless-commerce-stage.ts` are renamed, `@shopify` and `eshop` are not.
 * @param {string} text
 * @param {readonly Replacement[]} pairs
 * @returns {string}
 */
export function renameText(text, pairs) {
  if (pairs.length === 0) return text;
  const byLength = [...pairs].sort((a, b) => b.from.length - a.from.length);
  const to = new Map(byLength.map((pair) => [pair.from, pair.to]));
  const alternatives = byLength.map(
    ({ from }) => `${/^[A-Z]/.test(from) ? '' : '(?<![a-z0-9])'}${escapeRegExp(from)}`,
  );
  const pattern = new RegExp(`(?:${alternatives.join('|')})(?![a-z0-9])`, 'g');
  return text.replace(pattern, (match) => to.get(match) ?? match);
}
