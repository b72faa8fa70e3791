import { readAssemblyStacks } from '@shop/local-cloud/template/cloud-assembly';

/**
 * The wiring an assembly declares, as text to compare: every stack's resources and their
 * properties, routes, rules and grants included, without what only says where code is (a function's
 * `Code`, the asset metadata) and without the CDK's own metadata. Two assemblies of the same wiring
 * run on one local cloud alike, whatever their bundles: a running cloud takes new code through a
 * reload, and needs a restart only when this changes.
 */
export function wiringOf(assemblyDir: string): string {
  const stacks = readAssemblyStacks(assemblyDir).map((stack) => ({
    stackName: stack.stackName,
    resources: Object.fromEntries(
      Object.entries(stack.template.Resources)
        .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
        .map(([logicalId, { Metadata: _metadata, ...resource }]) => [
          logicalId,
          resource.Type === 'AWS::Lambda::Function' ? withoutCode(resource) : resource,
        ]),
    ),
    rest: { ...stack.template, Resources: undefined },
  }));
  return JSON.stringify(stacks);
}

function withoutCode<T extends { Properties?: Record<string, unknown> }>(resource: T): T {
  const { Code: _code, ...properties } = resource.Properties ?? {};
  return { ...resource, Properties: properties };
}
