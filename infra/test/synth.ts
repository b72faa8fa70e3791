import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, type Stack, Stage } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { buildApp, type ServerlessCommerceApp } from '../src/app.ts';

/** The context of infra/cdk.json (feature flags, placeholder accounts), as the CLI would pass it. */
const cdkJson = JSON.parse(readFileSync(new URL('../cdk.json', import.meta.url), 'utf8')) as {
  context: Record<string, unknown>;
};

export const REGION = 'eu-west-1';

export interface Synthesized extends ServerlessCommerceApp {
  readonly app: App;
  /** The template of a stack, read from the synthesized assembly (no second synthesis). */
  template(stack: Stack): Template;
  /** Every stack of the app: the selected stage's, the pipeline, and the pipeline's test and prod stages. */
  readonly stacks: readonly Stack[];
  /** Removes the assembly directory. */
  cleanup(): void;
}

/**
 * Builds and synthesizes the app as `cdk synth -c stage=<stageName>` would, into a temporary
 * directory, with no credentials: a personal stage is environment-agnostic. Synthesis runs the
 * cdk-nag checks and throws on an unacknowledged error. Takes a few seconds: once per test file.
 *
 * CDK's built-in CloudFormation validation takes two thirds of a synthesis: only the test that is
 * about validation turns it on (`npm run synth` always runs it).
 */
export function synthesize(
  stageName: string,
  options: { cloudFormationValidation?: boolean } = {},
): Synthesized {
  const outdir = mkdtempSync(join(tmpdir(), 'infra-test-'));
  const app = new App({
    outdir,
    context: { ...cdkJson.context, stage: stageName },
    builtinCloudFormationValidation: options.cloudFormationValidation ?? false,
  });
  const built = buildApp(app, { CDK_DEFAULT_REGION: REGION });
  try {
    app.synth();
  } catch (error) {
    rmSync(outdir, { recursive: true, force: true });
    throw error;
  }
  const { stage, pipeline } = built;
  const stacks = [pipeline, ...[stage, pipeline.test, pipeline.prod].flatMap((s) => s.stacks)];
  const templates = new Map<Stack, Template>();
  return {
    ...built,
    app,
    stacks,
    template(stack) {
      let template = templates.get(stack);
      if (!template) {
        const directory = Stage.of(stack)?.outdir ?? outdir;
        template = Template.fromJSON(JSON.parse(readFileSync(join(directory, stack.templateFile), 'utf8')));
        templates.set(stack, template);
      }
      return template;
    },
    cleanup: () => rmSync(outdir, { recursive: true, force: true }),
  };
}

export type CfnResource = { Type: string; Properties?: Record<string, unknown>; [key: string]: unknown };

/** The logical id of the template parameter that reads an SSM parameter, by the parameter's name. */
export function ssmParameterId(template: Template, name: string): string {
  const parameters = (template.toJSON() as { Parameters?: Record<string, { Default?: string }> }).Parameters;
  const [id] = Object.entries(parameters ?? {}).find(([, parameter]) => parameter.Default === name) ?? [];
  if (!id) throw new Error(`The template reads no SSM parameter ${name}`);
  return id;
}

export function resourcesOf(template: Template, type?: string): [string, CfnResource][] {
  const resources = (template.toJSON() as { Resources: Record<string, CfnResource> }).Resources;
  return Object.entries(resources).filter(([, resource]) => type === undefined || resource.Type === type);
}
