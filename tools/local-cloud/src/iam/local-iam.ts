import { createHash } from 'node:crypto';
import type { LogSink } from '../contracts.ts';
import { serviceLog } from '../kit/service-log.ts';
import type { IamModel, RoleModel } from '../template/iam-model.ts';
import { AccessDeniedError, accessDeniedMessage, type Caller } from './access-denied.ts';
import { awsManagedPolicy } from './aws-managed-policies.ts';
import { evaluate, type PolicyDocument, unsupportedConditions } from './policy-evaluator.ts';
import {
  type IamService,
  type RequestedAccess,
  type ResourceNames,
  requestedAccess,
} from './requested-access.ts';

/**
 * IAM for what the local cloud runs: each function signs its calls with credentials of its own,
 * which name its execution role, and each call is checked against that role's policies; a
 * workflow's tasks are checked against its state machine's role. Keys that are no function's (the
 * engine's, the tests', a developer's AWS CLI) are not checked: the roles of what the local cloud
 * runs are, not outside callers.
 */
export interface LocalIamOptions {
  model: IamModel;
  /** The state machines the workflows run, by ARN, with their role's ARN. */
  stateMachines: readonly { arn: string; name: string; roleArn?: string }[];
  names: ResourceNames;
  log: LogSink;
}

export interface FunctionCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

export type CallCheck = { allowed: true } | { allowed: false; message: string };

export interface LocalIam {
  /** What a function's SDK signs with: an access key id that names the function's role here. */
  credentialsOf(functionName: string): FunctionCredentials;
  /** The function whose credentials carry this access key id; undefined for anyone else's. */
  callerOf(accessKeyId: string): Caller | undefined;
  /** Checks a call against the caller's role; a denial is logged at WARN, naming role, action and resource. */
  check(caller: Caller, service: IamService, operation: string, input: Record<string, unknown>): CallCheck;
  /** Checks a workflow task's call against its state machine's role; throws the service's AccessDenied. */
  authorizeTask(stateMachineArn: string, service: IamService, operation: string, input: unknown): void;
}

/** Any non-empty secret works: the local services do not verify signatures. */
const SECRET_ACCESS_KEY = 'local';

/**
 * Reads every role a function or a state machine runs with, and refuses to start, listing each
 * problem, when a role is not in the templates, carries an AWS managed policy whose grants are not
 * known here, or has a Condition this evaluator does not judge.
 */
export function createLocalIam(options: LocalIamOptions): LocalIam {
  const { model, names } = options;
  const log = serviceLog(options.log, 'iam');
  const rolesByArn = new Map(model.roles.map((role) => [role.arn, role]));
  const problems: string[] = [];
  const policiesOf = new Map<string, PolicyDocument[]>();
  const roleInUse = (roleArn: string | undefined, user: string): void => {
    const role = roleArn ? rolesByArn.get(roleArn) : undefined;
    if (!role) {
      problems.push(`${user} runs with ${roleArn ?? 'no role'}, which is not a role of the templates`);
      return;
    }
    if (!policiesOf.has(role.arn)) policiesOf.set(role.arn, readPolicies(role, problems));
  };
  for (const [functionName, roleArn] of model.functionRoles) roleInUse(roleArn, `Function ${functionName}`);
  for (const machine of options.stateMachines) roleInUse(machine.roleArn, `State machine ${machine.name}`);
  if (problems.length > 0) {
    throw new Error(
      `IAM cannot be enforced locally (start with --no-iam, or iam: false, to run without it):\n  ${problems.join('\n  ')}`,
    );
  }

  const callers = new Map<string, Caller>();
  const keys = new Map<string, string>();
  for (const [functionName, roleArn] of model.functionRoles) {
    const accessKeyId = accessKeyIdOf(functionName);
    callers.set(accessKeyId, { roleArn, sessionName: functionName });
    keys.set(functionName, accessKeyId);
  }
  const machineRoles = new Map(options.stateMachines.map((machine) => [machine.arn, machine]));

  const check = (caller: Caller, service: IamService, operation: string, input: Record<string, unknown>) => {
    const policies = policiesOf.get(caller.roleArn) ?? [];
    const context = {
      'aws:PrincipalArn': caller.roleArn,
      'aws:PrincipalAccount': names.accountId,
      'aws:RequestedRegion': names.region,
      'aws:userid': `${caller.roleArn.split('/').at(-1)}:${caller.sessionName}`,
    };
    for (const access of requestedAccess(service, operation, input, names)) {
      const decision = evaluate(policies, { ...access, context });
      if (decision === 'allowed') continue;
      const message = accessDeniedMessage(caller, service, access, decision);
      warnDenied(log, caller, access);
      return { allowed: false as const, message };
    }
    return { allowed: true as const };
  };

  return {
    credentialsOf(functionName) {
      const accessKeyId = keys.get(functionName);
      if (!accessKeyId) throw new Error(`Function ${functionName} has no role in the templates`);
      return { accessKeyId, secretAccessKey: SECRET_ACCESS_KEY };
    },
    callerOf: (accessKeyId) => callers.get(accessKeyId),
    check,
    authorizeTask(stateMachineArn, service, operation, input) {
      const machine = machineRoles.get(stateMachineArn);
      if (!machine?.roleArn) return;
      const caller = { roleArn: machine.roleArn, sessionName: machine.name };
      const result = check(caller, service, operation, (input ?? {}) as Record<string, unknown>);
      if (!result.allowed) throw new AccessDeniedError(service, result.message);
    },
  };
}

function readPolicies(role: RoleModel, problems: string[]): PolicyDocument[] {
  const documents = role.policies.map(({ name, document }) => {
    problems.push(...unsupportedConditions(name, document));
    return document;
  });
  for (const arn of role.managedPolicyArns) {
    const managed = awsManagedPolicy(arn);
    if (managed) documents.push(managed);
    else problems.push(`Role ${role.name} has the managed policy ${arn}, whose grants are not known locally`);
  }
  return documents;
}

/** `ASIA` and 16 more: the shape of a role session's key id, the same for a function every run. */
function accessKeyIdOf(functionName: string): string {
  const digest = createHash('sha256').update(functionName).digest('hex').toUpperCase();
  return `ASIA${digest.slice(0, 16)}`;
}

function warnDenied(log: ReturnType<typeof serviceLog>, caller: Caller, access: RequestedAccess): void {
  const role = caller.roleArn.split('/').at(-1) ?? caller.roleArn;
  log.warn(
    `IAM denied ${access.action} on ${access.resource} to role ${role} (${caller.sessionName}): AWS would answer AccessDenied`,
    { role: caller.roleArn, caller: caller.sessionName, action: access.action, resource: access.resource },
  );
}
