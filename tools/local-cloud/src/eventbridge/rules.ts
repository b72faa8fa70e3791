import { describeError } from '../kit/service-log.ts';
import { compileEventPattern, type EventPatternMatcher } from './event-pattern.ts';
import { compileInputPath, type InputPathSelector } from './input-path.ts';
import type { EventBridgeEvent } from './put-events.ts';

/**
 * The buses' rules, compiled once: each rule's pattern into a matcher and each target's Input or
 * InputPath into what it sends. A rule the local EventBridge would match or shape differently from
 * AWS fails here, when it is loaded, never at delivery.
 */
export interface EventBus {
  name: string;
  arn: string;
}

export interface RuleTarget {
  id: string;
  arn: string;
  /** CloudFormation `Input`: JSON text sent instead of the event. */
  input?: string;
  /** CloudFormation `InputPath`: the part of the event sent, e.g. `$.detail`. */
  inputPath?: string;
}

export interface EventRule {
  name: string;
  busName: string;
  pattern: object;
  targets: RuleTarget[];
}

export interface CompiledTarget {
  target: RuleTarget;
  payload(event: EventBridgeEvent): { found: true; value: unknown } | { found: false };
}

/** A rule's targets, each with what it sends: what a matched event or a schedule is delivered to. */
export interface CompiledTargets {
  rule: { name: string };
  targets: CompiledTarget[];
}

export interface CompiledRule extends CompiledTargets {
  rule: EventRule;
  matches: EventPatternMatcher;
}

/** The compiled rules of each bus, by the bus's name; every bus has an entry, even with no rule. */
export type RulesByBus = Map<string, CompiledRule[]>;

export function compileRules(rules: readonly EventRule[], buses: readonly EventBus[]): RulesByBus {
  const byBus: RulesByBus = new Map(buses.map((bus) => [bus.name, []]));
  for (const rule of rules) {
    const onBus = byBus.get(rule.busName);
    if (!onBus) {
      throw new Error(
        `Rule ${rule.name} is on event bus "${rule.busName}", which is not among the local buses (${buses.map((bus) => bus.name).join(', ') || 'none'})`,
      );
    }
    onBus.push(compileRule(rule));
  }
  return byBus;
}

export function compileRule(rule: EventRule): CompiledRule {
  let matches: EventPatternMatcher;
  try {
    matches = compileEventPattern(rule.pattern);
  } catch (error) {
    throw new Error(`Rule ${rule.name} on bus ${rule.busName} cannot run locally: ${describeError(error)}`, {
      cause: error,
    });
  }
  return { rule, matches, targets: compileTargets(rule.name, rule.targets) };
}

export function compileTargets(ruleName: string, targets: readonly RuleTarget[]): CompiledTarget[] {
  return targets.map((target) => compileTarget(ruleName, target));
}

function compileTarget(ruleName: string, target: RuleTarget): CompiledTarget {
  const where = `Rule ${ruleName}, target ${target.id}`;
  if (target.input !== undefined && target.inputPath !== undefined) {
    throw new Error(`${where}: Input and InputPath are mutually exclusive`);
  }
  if (target.input !== undefined) {
    let constant: unknown;
    try {
      constant = JSON.parse(target.input);
    } catch (error) {
      throw new Error(`${where}: Input is not valid JSON: ${describeError(error)}`, { cause: error });
    }
    return { target, payload: () => ({ found: true, value: structuredClone(constant) }) };
  }
  if (target.inputPath !== undefined) {
    let select: InputPathSelector;
    try {
      select = compileInputPath(target.inputPath);
    } catch (error) {
      throw new Error(`${where}: ${describeError(error)}`, { cause: error });
    }
    return { target, payload: (event) => select(event) };
  }
  return { target, payload: (event) => ({ found: true, value: event }) };
}
