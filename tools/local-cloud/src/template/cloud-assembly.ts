import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Reads a synthesized CDK cloud assembly (a `cdk.out` folder): its CloudFormation stacks, with nested
 * stage assemblies, in deployment order. Only the manifest format is relied on, so an assembly made
 * by `cdk synth` or by `app.synth()` in-process reads the same.
 */
export interface AssemblyStack {
  /** The artifact id, unique in the assembly (e.g. `localApi1A2B3C4D`). */
  id: string;
  stackName: string;
  /** The construct path's last part (`Api`) when the manifest has one. */
  displayName: string;
  template: CloudFormationTemplate;
  /** The folder asset paths in the template's metadata are relative to. */
  directory: string;
  dependencies: string[];
  /** The region the stack is synthesized for, when it names one (`aws://account/region`). */
  region?: string;
}

export interface CloudFormationTemplate {
  Parameters?: Record<string, { Type: string; Default?: unknown }>;
  Conditions?: Record<string, unknown>;
  Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  Resources: Record<string, CloudFormationResource>;
}

export interface CloudFormationResource {
  Type: string;
  Properties?: Record<string, unknown>;
  Condition?: string;
  Metadata?: Record<string, unknown>;
  DependsOn?: string | string[];
}

interface Manifest {
  artifacts?: Record<
    string,
    {
      type: string;
      environment?: string;
      properties?: { templateFile?: string; directoryName?: string; stackName?: string };
      displayName?: string;
      dependencies?: string[];
    }
  >;
}

/**
 * The stacks of an assembly, every nested assembly included, ordered so each stack comes after the
 * stacks it depends on. `nested` selects nested assemblies by directory name (e.g. `assembly-local`);
 * by default every one is read.
 */
export function readAssemblyStacks(
  directory: string,
  nested?: (directoryName: string) => boolean,
): AssemblyStack[] {
  const manifestPath = join(directory, 'manifest.json');
  if (!existsSync(manifestPath))
    throw new Error(`No cloud assembly at ${directory}: manifest.json is missing`);
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as Manifest;
  const stacks: AssemblyStack[] = [];
  for (const [id, artifact] of Object.entries(manifest.artifacts ?? {})) {
    if (artifact.type === 'cdk:cloud-assembly' && artifact.properties?.directoryName) {
      const name = artifact.properties.directoryName;
      if (!nested || nested(name)) stacks.push(...readAssemblyStacks(join(directory, name)));
    }
    if (artifact.type === 'aws:cloudformation:stack' && artifact.properties?.templateFile) {
      const templatePath = resolve(directory, artifact.properties.templateFile);
      const region = artifact.environment?.split('/')[3];
      stacks.push({
        ...(region && region !== 'unknown-region' ? { region } : {}),
        id,
        stackName: artifact.properties.stackName ?? id,
        displayName: artifact.displayName?.split('/').pop() ?? id,
        template: JSON.parse(readFileSync(templatePath, 'utf8')) as CloudFormationTemplate,
        directory: dirname(templatePath),
        dependencies: (artifact.dependencies ?? []).filter((dependency) => !dependency.endsWith('.assets')),
      });
    }
  }
  return inDependencyOrder(stacks);
}

function inDependencyOrder(stacks: AssemblyStack[]): AssemblyStack[] {
  const byId = new Map(stacks.map((stack) => [stack.id, stack]));
  const ordered: AssemblyStack[] = [];
  const visiting = new Set<string>();
  const visit = (stack: AssemblyStack): void => {
    if (ordered.includes(stack)) return;
    if (visiting.has(stack.id)) throw new Error(`Stacks depend on each other in a cycle through ${stack.id}`);
    visiting.add(stack.id);
    for (const dependency of stack.dependencies) {
      const other = byId.get(dependency);
      if (other) visit(other);
    }
    visiting.delete(stack.id);
    ordered.push(stack);
  };
  for (const stack of stacks) visit(stack);
  return ordered;
}
