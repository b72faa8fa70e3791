import { type ApiAction, AwsApiError } from '../kit/json-protocol-server.ts';
import { describeError, type ServiceLog } from '../kit/service-log.ts';
import { parseJsonObject } from './put-events.ts';
import {
  type CompiledRule,
  compileRule,
  type EventBus,
  type EventRule,
  type RulesByBus,
  type RuleTarget,
} from './rules.ts';

/**
 * CreateEventBus, PutRule and PutTargets, for a test run whose test files each set up their own bus
 * and rule with the real client. The local cloud does not serve them: its buses and rules are the
 * template's. Each changes the live rule table, so an event put afterwards is routed by the change.
 */
export interface ResourceTables {
  /** Grows with CreateEventBus. */
  buses: EventBus[];
  rulesByBus: RulesByBus;
  region: string;
  accountId: string;
  log: ServiceLog;
}

export function resourceChangeActions(tables: ResourceTables): Record<string, ApiAction> {
  const { buses, rulesByBus, region, accountId, log } = tables;
  const rulesOn = (busName: string) => {
    const onBus = rulesByBus.get(busName);
    if (!onBus) throw new AwsApiError('ResourceNotFoundException', `Event bus ${busName} does not exist.`);
    return onBus;
  };
  return {
    CreateEventBus(input) {
      const name = requiredString(input, 'Name');
      if (rulesByBus.has(name)) {
        throw new AwsApiError('ResourceAlreadyExistsException', `Event bus ${name} already exists.`);
      }
      const bus = { name, arn: `arn:aws:events:${region}:${accountId}:event-bus/${name}` };
      buses.push(bus);
      rulesByBus.set(name, []);
      log.info(`Event bus ${name} created`);
      return { EventBusArn: bus.arn };
    },

    PutRule(input) {
      const name = requiredString(input, 'Name');
      const busName = busNameOf(input);
      const onBus = rulesOn(busName);
      const pattern = parseJsonObject(requiredString(input, 'EventPattern'));
      if (!pattern)
        throw new AwsApiError('InvalidEventPatternException', 'EventPattern is not a JSON object');
      const index = onBus.findIndex((compiled) => compiled.rule.name === name);
      const targets = onBus[index]?.rule.targets ?? [];
      const compiled = compileRuleOrRefuse(
        { name, busName, pattern, targets },
        'InvalidEventPatternException',
      );
      if (index === -1) onBus.push(compiled);
      else onBus[index] = compiled;
      log.info(`Rule ${name} put on ${busName}`);
      return { RuleArn: `arn:aws:events:${region}:${accountId}:rule/${busName}/${name}` };
    },

    PutTargets(input) {
      const name = requiredString(input, 'Rule');
      const busName = busNameOf(input);
      const onBus = rulesOn(busName);
      const index = onBus.findIndex((compiled) => compiled.rule.name === name);
      const existing = onBus[index];
      if (!existing) {
        throw new AwsApiError('ResourceNotFoundException', `Rule ${name} does not exist on ${busName}.`);
      }
      const added = toRuleTargets(input.Targets);
      const kept = existing.rule.targets.filter((target) => !added.some((other) => other.id === target.id));
      onBus[index] = compileRuleOrRefuse(
        { ...existing.rule, targets: [...kept, ...added] },
        'ValidationException',
      );
      log.info(`Rule ${name} on ${busName} targets ${added.map((target) => target.arn).join(', ')}`);
      return { FailedEntryCount: 0, FailedEntries: [] };
    },
  };
}

/** A rule put over the API: what fails the start for a template's rule is the caller's 400 here. */
function compileRuleOrRefuse(rule: EventRule, code: string): CompiledRule {
  try {
    return compileRule(rule);
  } catch (error) {
    throw new AwsApiError(code, describeError(error));
  }
}

const busNameOf = (input: Record<string, unknown>) =>
  input.EventBusName === undefined ? 'default' : requiredString(input, 'EventBusName');

function requiredString(input: Record<string, unknown>, field: string): string {
  const value = input[field];
  if (typeof value !== 'string' || value === '') {
    throw new AwsApiError('ValidationException', `${field} is required and must be a string`);
  }
  return value;
}

function toRuleTargets(targets: unknown): RuleTarget[] {
  if (!Array.isArray(targets) || targets.length === 0) {
    throw new AwsApiError('ValidationException', 'Targets must be a non-empty list');
  }
  return targets.map((target: Record<string, unknown>) => ({
    id: requiredString(target, 'Id'),
    arn: requiredString(target, 'Arn'),
    ...(target.Input !== undefined ? { input: requiredString(target, 'Input') } : {}),
    ...(target.InputPath !== undefined ? { inputPath: requiredString(target, 'InputPath') } : {}),
  }));
}
