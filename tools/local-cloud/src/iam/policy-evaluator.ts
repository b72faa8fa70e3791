/**
 * IAM's evaluation of identity-based policies, for what CloudFormation templates written with CDK
 * grant: Allow and Deny statements, Action/NotAction and Resource/NotResource with `*` and `?`
 * wildcards, an explicit Deny over any Allow, and a default deny. A Condition is evaluated for the
 * operators and keys in CONDITION_OPERATORS and CONDITION_KEYS only; any other is refused when the
 * policies are read (unsupportedConditions), never treated as matching.
 */
export interface PolicyStatement {
  Sid?: string;
  Effect: 'Allow' | 'Deny';
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: string | string[];
  NotResource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: PolicyStatement | PolicyStatement[];
}

/** What a request asks: `dynamodb:Query` on one ARN, with the context keys the request carries. */
export interface AccessRequest {
  action: string;
  resource: string;
  context: Record<string, string>;
}

export type Decision = 'allowed' | 'denied' | 'explicitly-denied';

/** The operators evaluated: string and ARN comparisons, each with its `...IfExists` form. */
const CONDITION_OPERATORS: Record<string, (value: string, pattern: string) => boolean> = {
  StringEquals: (value, pattern) => value === pattern,
  StringNotEquals: (value, pattern) => value !== pattern,
  StringEqualsIgnoreCase: (value, pattern) => value.toLowerCase() === pattern.toLowerCase(),
  StringLike: (value, pattern) => wildcardPattern(pattern, false).test(value),
  StringNotLike: (value, pattern) => !wildcardPattern(pattern, false).test(value),
  ArnEquals: (value, pattern) => wildcardPattern(pattern, false).test(value),
  ArnLike: (value, pattern) => wildcardPattern(pattern, false).test(value),
  ArnNotEquals: (value, pattern) => !wildcardPattern(pattern, false).test(value),
  ArnNotLike: (value, pattern) => !wildcardPattern(pattern, false).test(value),
};
/** A negated operator matches when every value differs; the others when any value matches. */
const NEGATED = new Set(['StringNotEquals', 'StringNotLike', 'ArnNotEquals', 'ArnNotLike']);

/** The global condition keys every local request carries (see AccessRequest.context). */
export const CONDITION_KEYS = [
  'aws:PrincipalArn',
  'aws:PrincipalAccount',
  'aws:RequestedRegion',
  'aws:userid',
] as const;

const list = (value: string | string[] | undefined): string[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];

const statements = (document: PolicyDocument): PolicyStatement[] =>
  Array.isArray(document.Statement) ? document.Statement : [document.Statement];

const patterns = new Map<string, RegExp>();

/** IAM's wildcards: `*` any run of characters (`/` and `:` included), `?` exactly one. */
export function wildcardPattern(pattern: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${pattern}`;
  let compiled = patterns.get(key);
  if (!compiled) {
    const source = pattern
      .split('')
      .map((character) =>
        character === '*' ? '.*' : character === '?' ? '.' : character.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('');
    compiled = new RegExp(`^${source}$`, ignoreCase ? 'is' : 's');
    patterns.set(key, compiled);
  }
  return compiled;
}

/** Action names are case-insensitive (`dynamodb:query` is `dynamodb:Query`); ARNs are not. */
const matchesAction = (action: string, pattern: string) => wildcardPattern(pattern, true).test(action);
const matchesResource = (resource: string, pattern: string) => wildcardPattern(pattern, false).test(resource);

function conditionHolds(condition: PolicyStatement['Condition'], context: Record<string, string>): boolean {
  for (const [operatorName, keys] of Object.entries(condition ?? {})) {
    const ifExists = operatorName.endsWith('IfExists');
    const operator = operatorName.replace(/IfExists$/, '');
    const compare = CONDITION_OPERATORS[operator];
    if (!compare) return false;
    for (const [key, expected] of Object.entries(keys)) {
      const value = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
      if (value === undefined) {
        if (ifExists) continue;
        return false;
      }
      const values = list(expected);
      const holds = NEGATED.has(operator)
        ? values.every((pattern) => compare(value, pattern))
        : values.some((pattern) => compare(value, pattern));
      if (!holds) return false;
    }
  }
  return true;
}

function statementApplies(statement: PolicyStatement, request: AccessRequest): boolean {
  const actionMatches =
    statement.NotAction !== undefined
      ? !list(statement.NotAction).some((pattern) => matchesAction(request.action, pattern))
      : list(statement.Action).some((pattern) => matchesAction(request.action, pattern));
  if (!actionMatches) return false;
  const resourceMatches =
    statement.NotResource !== undefined
      ? !list(statement.NotResource).some((pattern) => matchesResource(request.resource, pattern))
      : list(statement.Resource).some((pattern) => matchesResource(request.resource, pattern));
  return resourceMatches && conditionHolds(statement.Condition, request.context);
}

/** An explicit Deny wins over any Allow; without an Allow the request is denied. */
export function evaluate(policies: readonly PolicyDocument[], request: AccessRequest): Decision {
  let allowed = false;
  for (const policy of policies) {
    for (const statement of statements(policy)) {
      if (!statementApplies(statement, request)) continue;
      if (statement.Effect === 'Deny') return 'explicitly-denied';
      if (statement.Effect === 'Allow') allowed = true;
    }
  }
  return allowed ? 'allowed' : 'denied';
}

/**
 * What in a policy this evaluator cannot judge: a Condition operator or key it does not know, or
 * an Effect that is neither Allow nor Deny. Each is described in a sentence naming the statement.
 */
export function unsupportedConditions(policyName: string, document: PolicyDocument): string[] {
  const problems: string[] = [];
  const known = CONDITION_KEYS.map((key) => key.toLowerCase());
  statements(document).forEach((statement, index) => {
    const where = `${policyName}, statement ${statement.Sid ?? index + 1}`;
    if (statement.Effect !== 'Allow' && statement.Effect !== 'Deny') {
      problems.push(`${where}: Effect ${JSON.stringify(statement.Effect)} is neither Allow nor Deny`);
    }
    for (const [operatorName, keys] of Object.entries(statement.Condition ?? {})) {
      const operator = operatorName.replace(/IfExists$/, '');
      if (!CONDITION_OPERATORS[operator]) {
        problems.push(`${where}: condition operator ${operatorName} is not evaluated locally`);
        continue;
      }
      for (const key of Object.keys(keys)) {
        if (!known.includes(key.toLowerCase()))
          problems.push(`${where}: condition key ${key} is not evaluated locally`);
      }
    }
  });
  return problems;
}
