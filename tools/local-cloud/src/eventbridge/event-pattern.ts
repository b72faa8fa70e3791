import { BlockList, isIP } from 'node:net';

/**
 * EventBridge event patterns (content filtering), as the EventBridge user guide and AWS's own matcher
 * (aws/event-ruler) define them. Patterns are compiled once: validation and matching share one walk of
 * the pattern, so the local cloud can never accept a pattern it would then silently fail to match.
 *
 * Semantics worth knowing (each has a test):
 * - Fields are ANDed, the values listed for one field are ORed; `$or` ORs whole sub-patterns.
 * - Only leaves (strings, numbers, booleans, null) are matched. An event array matches when any of
 *   its elements matches; an array of objects matches a nested pattern when one element matches all
 *   of it (fields are never combined across elements).
 * - Types are strict: the pattern `[5]` matches the number 5, never the string "5".
 * - `exists: false` matches a missing field, and also a field whose value is an object (not a leaf).
 * - `anything-but` (like every operator but `exists: false`) never matches a missing field.
 */

export class InvalidEventPatternError extends Error {
  override readonly name = 'InvalidEventPatternError';
}

export type EventPatternMatcher = (event: object) => boolean;

/** Throws InvalidEventPatternError, naming the field and the problem, when AWS would refuse the pattern. */
export function validateEventPattern(pattern: unknown): void {
  compileEventPattern(pattern);
}

export function matchesEventPattern(pattern: object, event: object): boolean {
  return compileEventPattern(pattern)(event);
}

export function compileEventPattern(pattern: unknown): EventPatternMatcher {
  if (!isPlainObject(pattern)) fail([], 'the pattern must be a JSON object');
  const matchObject = compileObject(pattern, [], false);
  return (event) => matchObject(event);
}

type Leaf = string | number | boolean | null;
type NodeMatcher = (node: unknown) => boolean;
type LeafMatcher = (leaf: Leaf) => boolean;
type FieldMatcher = { kind: 'exists'; present: boolean } | { kind: 'value'; test: LeafMatcher };

const OR = '$or';
const OPERATORS = [
  'prefix',
  'suffix',
  'equals-ignore-case',
  'wildcard',
  'anything-but',
  'numeric',
  'exists',
  'cidr',
] as const;
const SUPPORTED = `supported: exact values, ${OPERATORS.join(', ')} and $or`;
// Numeric matching is limited to this range on AWS (aws/event-ruler ComparableNumber).
const NUMERIC_LIMIT = 5e9;

function compileObject(pattern: Record<string, unknown>, path: string[], insideOr: boolean): NodeMatcher {
  const keys = Object.keys(pattern);
  if (keys.length === 0) fail(path, 'empty objects are not allowed');
  const members: NodeMatcher[] = keys.map((key) => {
    const value = pattern[key];
    const fieldPath = [...path, key];
    if (key === OR) return compileOr(value, path);
    if (insideOr && (OPERATORS as readonly string[]).includes(key)) {
      fail(fieldPath, `"${key}" is an operator name and cannot be used as a field inside $or`);
    }
    if (Array.isArray(value)) {
      const match = compileField(value, fieldPath);
      return (node) => match(fieldOf(node, key));
    }
    if (isPlainObject(value)) {
      const match = compileObject(value, fieldPath, insideOr);
      return (node) => matchNested(fieldOf(node, key), match);
    }
    return fail(fieldPath, 'must be an object (a nested pattern) or an array of values');
  });
  return (node) => members.every((member) => member(node));
}

function compileOr(value: unknown, path: string[]): NodeMatcher {
  if (!Array.isArray(value) || value.length < 2 || !value.every(isPlainObject)) {
    fail([...path, OR], 'must be an array of at least 2 objects');
  }
  const branches = value.map((branch) => compileObject(branch, path, true));
  return (node) => branches.some((branch) => branch(node));
}

/** A nested pattern applies to an object, to any object of an array, or to nothing (so exists:false holds). */
function matchNested(value: unknown, match: NodeMatcher): boolean {
  if (isPlainObject(value)) return match(value);
  if (Array.isArray(value)) {
    const objects = value.flat(Number.POSITIVE_INFINITY).filter(isPlainObject);
    if (objects.length > 0) return objects.some((object) => match(object));
  }
  return match(undefined);
}

function compileField(values: unknown[], path: string[]): (value: unknown) => boolean {
  if (values.length === 0) fail(path, 'empty arrays are not allowed');
  const matchers = values.map((value) => compileValue(value, path));
  return (value) => {
    const leaves = leavesOf(value);
    return matchers.some((matcher) =>
      matcher.kind === 'exists'
        ? leaves.length > 0 === matcher.present
        : leaves.some((leaf) => matcher.test(leaf)),
    );
  };
}

function compileValue(value: unknown, path: string[]): FieldMatcher {
  if (value === null || typeof value === 'string' || typeof value === 'boolean') {
    return { kind: 'value', test: (leaf) => leaf === value };
  }
  if (typeof value === 'number') return { kind: 'value', test: (leaf) => leaf === value };
  if (!isPlainObject(value))
    fail(path, 'a match value must be a string, number, true, false, null or an operator');
  const entries = Object.entries(value);
  const [entry] = entries;
  if (!entry || entries.length > 1) {
    fail(path, `an operator object must have exactly one key, got ${JSON.stringify(value)}`);
  }
  const [operator, operand] = entry;
  switch (operator) {
    case 'exists':
      if (typeof operand !== 'boolean') fail(path, 'exists must be true or false');
      return { kind: 'exists', present: operand };
    case 'prefix':
      return { kind: 'value', test: affixMatcher('prefix', operand, path) };
    case 'suffix':
      return { kind: 'value', test: affixMatcher('suffix', operand, path) };
    case 'equals-ignore-case': {
      const expected = stringOperand(operand, path, operator).toLowerCase();
      return { kind: 'value', test: (leaf) => typeof leaf === 'string' && leaf.toLowerCase() === expected };
    }
    case 'wildcard': {
      const regex = wildcardRegex(stringOperand(operand, path, operator), path);
      return { kind: 'value', test: (leaf) => typeof leaf === 'string' && regex.test(leaf) };
    }
    case 'anything-but': {
      const excluded = anythingButExclusion(operand, path);
      return { kind: 'value', test: (leaf) => !excluded(leaf) };
    }
    case 'numeric':
      return { kind: 'value', test: numericMatcher(operand, path) };
    case 'cidr':
      return { kind: 'value', test: cidrMatcher(operand, path) };
    default:
      return fail(path, `unsupported operator "${operator}" (${SUPPORTED})`);
  }
}

function affixMatcher(kind: 'prefix' | 'suffix', operand: unknown, path: string[]): LeafMatcher {
  const ignoreCase = isPlainObject(operand);
  const text = ignoreCase ? ignoreCaseOperand(operand, path, kind) : stringOperand(operand, path, kind);
  const affix = ignoreCase ? text.toLowerCase() : text;
  return (leaf) => {
    if (typeof leaf !== 'string') return false;
    const value = ignoreCase ? leaf.toLowerCase() : leaf;
    return kind === 'prefix' ? value.startsWith(affix) : value.endsWith(affix);
  };
}

/** The values an anything-but excludes; what it does not exclude, including non-strings, matches. */
function anythingButExclusion(operand: unknown, path: string[]): LeafMatcher {
  if (typeof operand === 'string' || typeof operand === 'number') return (leaf) => leaf === operand;
  if (Array.isArray(operand)) {
    const allStrings = operand.every((item) => typeof item === 'string');
    const allNumbers = operand.every((item) => typeof item === 'number');
    if (operand.length === 0 || !(allStrings || allNumbers)) {
      fail(path, 'an anything-but list must hold only strings or only numbers');
    }
    const excluded = new Set<unknown>(operand);
    return (leaf) => excluded.has(leaf);
  }
  if (!isPlainObject(operand)) {
    fail(
      path,
      'anything-but takes a string, a number, a list of either, or {prefix|suffix|equals-ignore-case|wildcard}',
    );
  }
  const entries = Object.entries(operand);
  const [entry] = entries;
  if (!entry || entries.length > 1) fail(path, 'an anything-but object must have exactly one key');
  const [operator, inner] = entry;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      const text = stringOperand(inner, path, `anything-but ${operator}`);
      if (text === '') fail(path, `anything-but ${operator} must not be empty`);
      return (leaf) =>
        typeof leaf === 'string' && (operator === 'prefix' ? leaf.startsWith(text) : leaf.endsWith(text));
    }
    case 'equals-ignore-case': {
      const excluded = new Set(stringList(inner, path, operator).map((text) => text.toLowerCase()));
      return (leaf) => typeof leaf === 'string' && excluded.has(leaf.toLowerCase());
    }
    case 'wildcard': {
      const regexes = stringList(inner, path, operator).map((text) => wildcardRegex(text, path));
      return (leaf) => typeof leaf === 'string' && regexes.some((regex) => regex.test(leaf));
    }
    default:
      return fail(path, `unsupported anything-but operator "${operator}"`);
  }
}

function numericMatcher(operand: unknown, path: string[]): LeafMatcher {
  if (!Array.isArray(operand)) fail(path, 'numeric must be an array such as [">", 0, "<=", 5]');
  const terms: Array<{ operator: string; bound: number }> = [];
  for (let index = 0; index < operand.length; index += 2) {
    const operator = operand[index];
    const bound = operand[index + 1];
    if (typeof operator !== 'string' || !['=', '<', '<=', '>', '>='].includes(operator)) {
      fail(path, `unknown numeric operator ${JSON.stringify(operator)} (=, <, <=, >, >=)`);
    }
    if (typeof bound !== 'number' || !Number.isFinite(bound)) {
      fail(path, `the value of numeric "${operator}" must be a number`);
    }
    if (Math.abs(bound) > NUMERIC_LIMIT) {
      fail(path, `numeric values must be between -${NUMERIC_LIMIT} and ${NUMERIC_LIMIT}, got ${bound}`);
    }
    terms.push({ operator, bound });
  }
  const [first, second, ...rest] = terms;
  const isLower = (operator: string) => operator === '>' || operator === '>=';
  const isUpper = (operator: string) => operator === '<' || operator === '<=';
  // AWS accepts one comparison, or a lower bound followed by a greater upper bound.
  if (!first || rest.length > 0 || (second && !(isLower(first.operator) && isUpper(second.operator)))) {
    fail(path, 'numeric takes one comparison, or a lower bound (>, >=) followed by an upper bound (<, <=)');
  }
  if (second && first.bound >= second.bound)
    fail(path, 'the numeric lower bound must be below the upper bound');
  const compare = ({ operator, bound }: { operator: string; bound: number }, value: number): boolean => {
    switch (operator) {
      case '=':
        return value === bound;
      case '<':
        return value < bound;
      case '<=':
        return value <= bound;
      case '>':
        return value > bound;
      default:
        return value >= bound;
    }
  };
  return (leaf) => typeof leaf === 'number' && compare(first, leaf) && (!second || compare(second, leaf));
}

function cidrMatcher(operand: unknown, path: string[]): LeafMatcher {
  const text = stringOperand(operand, path, 'cidr');
  const [network = '', prefixText = ''] = text.split('/');
  const family = isIP(network);
  const prefix = Number(prefixText);
  const maxPrefix = family === 6 ? 128 : 32;
  if (family === 0 || !/^\d+$/.test(prefixText) || prefix > maxPrefix) {
    fail(path, `cidr must be an IPv4 or IPv6 network such as "10.0.0.0/24", got "${text}"`);
  }
  const type = family === 6 ? 'ipv6' : 'ipv4';
  const block = new BlockList();
  block.addSubnet(network, prefix, type);
  return (leaf) => typeof leaf === 'string' && isIP(leaf) === family && block.check(leaf, type);
}

/** `*` matches any run of characters; `\*` and `\\` are a literal star and backslash (event-ruler rules). */
function wildcardRegex(pattern: string, path: string[]): RegExp {
  let source = '';
  let previousWasStar = false;
  for (let index = 0; index < pattern.length; index += 1) {
    const char = pattern.charAt(index);
    if (char === '*') {
      if (previousWasStar) fail(path, `wildcard "${pattern}" has consecutive * characters`);
      source += '.*';
      previousWasStar = true;
      continue;
    }
    previousWasStar = false;
    if (char === '\\') {
      const next = pattern.charAt(index + 1);
      if (next !== '*' && next !== '\\') {
        fail(path, `wildcard "${pattern}": a backslash may only escape * or \\`);
      }
      source += escapeRegex(next);
      index += 1;
      continue;
    }
    source += escapeRegex(char);
  }
  return new RegExp(`^${source}$`, 's');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function stringOperand(operand: unknown, path: string[], operator: string): string {
  if (typeof operand !== 'string') fail(path, `${operator} must be a string`);
  return operand;
}

function ignoreCaseOperand(operand: Record<string, unknown>, path: string[], operator: string): string {
  const keys = Object.keys(operand);
  if (keys.length !== 1 || keys[0] !== 'equals-ignore-case') {
    fail(path, `${operator} takes a string or {"equals-ignore-case": string}`);
  }
  return stringOperand(operand['equals-ignore-case'], path, `${operator} equals-ignore-case`);
}

function stringList(operand: unknown, path: string[], operator: string): string[] {
  const list = Array.isArray(operand) ? operand : [operand];
  if (list.length === 0 || !list.every((item) => typeof item === 'string')) {
    fail(path, `anything-but ${operator} takes a string or a list of strings`);
  }
  return list;
}

function fieldOf(node: unknown, key: string): unknown {
  return isPlainObject(node) && Object.hasOwn(node, key) ? node[key] : undefined;
}

/** The matchable values of a field: objects are not leaves, arrays contribute their leaf elements. */
function leavesOf(value: unknown): Leaf[] {
  if (Array.isArray(value)) return value.flatMap(leavesOf);
  if (
    value === null ||
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean'
  ) {
    return [value];
  }
  return [];
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fail(path: string[], problem: string): never {
  const where = path.length === 0 ? 'the pattern' : `"${path.join('.')}"`;
  throw new InvalidEventPatternError(`Invalid event pattern at ${where}: ${problem}`);
}
