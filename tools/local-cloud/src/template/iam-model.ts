import type { PolicyDocument } from '../iam/policy-evaluator.ts';
import type { AssemblyStack } from './cloud-assembly.ts';
import { type LocalEnvironment, TemplateResolver } from './intrinsics.ts';

/**
 * The IAM roles of the templates and what they are granted, with every intrinsic resolved to local
 * ARNs: a role's inline `Policies`, each `AWS::IAM::Policy` or `AWS::IAM::ManagedPolicy` whose
 * `Roles` names it, and the ARNs of its `ManagedPolicyArns` (the template's own policies are read;
 * AWS's are left to src/iam to know by name). Also which role each function runs with.
 */
export interface RoleModel {
  arn: string;
  name: string;
  /** Each granted document, with the name a refusal or a warning calls it by. */
  policies: { name: string; document: PolicyDocument }[];
  /** `ManagedPolicyArns` that are not the template's own policies: AWS managed ones, or imports. */
  managedPolicyArns: string[];
}

export interface IamModel {
  roles: RoleModel[];
  /** Function name → the ARN of its execution role. */
  functionRoles: Map<string, string>;
}

interface TemplatePolicy {
  name: string;
  arn?: string;
  roleNames: string[];
  document: PolicyDocument;
}

/**
 * Reads every stack, in deployment order, with the same environment the local model was built with
 * (its SSM parameters included), so ARNs resolve exactly as the running resources' do.
 */
export function readIamModel(stacks: AssemblyStack[], env: LocalEnvironment): IamModel {
  const resolvers = stacks.map((stack) => new TemplateResolver(stack, env));
  const roles: RoleModel[] = [];
  const policies: TemplatePolicy[] = [];
  const functionRoles = new Map<string, string>();
  for (const resolver of resolvers) {
    for (const [logicalId, resource] of resolver.resources()) {
      if (resource.Type === 'AWS::IAM::Role') roles.push(readRole(resolver, logicalId));
      if (resource.Type === 'AWS::IAM::Policy' || resource.Type === 'AWS::IAM::ManagedPolicy') {
        policies.push(readPolicy(resolver, logicalId, resource.Type === 'AWS::IAM::ManagedPolicy'));
      }
      if (resource.Type === 'AWS::Lambda::Function') {
        const role = resolver.properties(logicalId).Role;
        if (typeof role === 'string') functionRoles.set(resolver.identity(logicalId).ref, role);
      }
    }
  }
  for (const role of roles) {
    for (const policy of policies) {
      if (policy.roleNames.includes(role.name)) role.policies.push(policy);
    }
    role.managedPolicyArns = role.managedPolicyArns.filter((arn) => {
      const own = policies.find((policy) => policy.arn === arn);
      if (own) role.policies.push(own);
      return !own;
    });
  }
  return { roles, functionRoles };
}

function readRole(resolver: TemplateResolver, logicalId: string): RoleModel {
  const props = resolver.properties(logicalId);
  const identity = resolver.identity(logicalId);
  const inline = (props.Policies ?? []) as { PolicyName?: string; PolicyDocument: PolicyDocument }[];
  return {
    arn: String(identity.attributes.Arn),
    name: identity.ref,
    policies: inline.map((policy, index) => ({
      name: `${logicalId} inline policy ${policy.PolicyName ?? index + 1}`,
      document: policy.PolicyDocument,
    })),
    managedPolicyArns: ((props.ManagedPolicyArns ?? []) as unknown[]).map(String),
  };
}

function readPolicy(resolver: TemplateResolver, logicalId: string, managed: boolean): TemplatePolicy {
  const props = resolver.properties(logicalId);
  return {
    name: `${resolver.stack.stackName}/${logicalId}`,
    ...(managed ? { arn: resolver.identity(logicalId).ref } : {}),
    roleNames: ((props.Roles ?? []) as unknown[]).map(String),
    document: props.PolicyDocument as PolicyDocument,
  };
}
