import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildApp } from '@shop/infra/app';
import { APP_NAME } from '@shop/infra/stages';
import { App, CfnResource, type Stack } from 'aws-cdk-lib';

/**
 * The whole CDK app, synthesized in-process as `npm run synth` would (cdk-nag included, no
 * credentials): one synthesis yields a personal stage, the pipeline, and the test and prod stages
 * the pipeline deploys. The docs read resources from here, never from a hand-kept list.
 */
export interface SynthesizedResource {
  /** `data`, `identity`, `invoices`, `payments`, `orders`, `scenarios` (test only) or `pipeline`. */
  readonly stack: string;
  /** `personal`, `test`, `prod`, or `pipeline` for the pipeline stack itself. */
  readonly stage: string;
  /** The stack's name with the stage replaced by `<stage>`: `serverless-commerce-<stage>-data`. */
  readonly stackName: string;
  /** The construct path inside its stack, e.g. `PlaceOrderFunction/Function`. */
  readonly path: string;
  /** Its id in the template, which other resources of the stack reference it by. */
  readonly logicalId: string;
  readonly type: string;
  /** The name it has in AWS with the stage replaced by `<stage>`, when the template sets one. */
  readonly physicalName?: string;
  /** The template's properties of the resource (for the cost model: memory, architecture, shards). */
  readonly properties: Readonly<Record<string, unknown>>;
  /** The template's Metadata of the resource, the stage replaced by `<stage>` (the runbook's entries). */
  readonly metadata: Readonly<Record<string, unknown>>;
}

/** The personal stage synthesized for the docs; its name is replaced by `<stage>` everywhere. */
const PERSONAL_STAGE = 'dev-docs';
const STAGE_PLACEHOLDER = '<stage>';

/** Names scoped to a parent resource, or not names at all. */
const NOT_PHYSICAL_NAMES = new Set([
  'StageName',
  'PolicyName',
  'MetricName',
  'DisplayName',
  'IndexName',
  'DeploymentConfigName',
]);

export interface SynthesizedApp {
  readonly resources: SynthesizedResource[];
  /** The state names of the PaymentWorkflow's definition (ASL), as synthesized for a personal stage. */
  readonly paymentWorkflowStates: string[];
}

export function synthesizeApp(): SynthesizedApp {
  const infraDir = new URL('../../../infra/', import.meta.url);
  const cdkJson = JSON.parse(readFileSync(new URL('cdk.json', infraDir), 'utf8')) as {
    context: Record<string, unknown>;
  };
  const outdir = mkdtempSync(join(tmpdir(), 'docs-synth-'));
  try {
    // CloudFormation validation would take two thirds of the synthesis; `npm run synth` and the infra
    // tests run it, and the docs only read the templates.
    const app = new App({
      outdir,
      context: { ...cdkJson.context, stage: PERSONAL_STAGE },
      builtinCloudFormationValidation: false,
    });
    const { stage, pipeline } = buildApp(app, {});
    app.synth();
    const stageStacks = (s: typeof stage, stageLabel: string) =>
      s.stacks.map((stack) => ({
        stack,
        stageLabel,
        stageName: s.config.name,
      }));
    const resources = [
      ...stageStacks(stage, 'personal'),
      ...stageStacks(pipeline.test, 'test'),
      ...stageStacks(pipeline.prod, 'prod'),
      { stack: pipeline as Stack, stageLabel: 'pipeline', stageName: undefined },
    ].flatMap(({ stack, stageLabel, stageName }) => resourcesOf(stack, stageLabel, stageName));
    return { resources, paymentWorkflowStates: stateNames(stage.payments) };
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
}

function resourcesOf(stack: Stack, stage: string, stageName: string | undefined): SynthesizedResource[] {
  const generic = (text: string) =>
    stageName === undefined
      ? text
      : text
          .replaceAll(`${APP_NAME}-${stageName}`, `${APP_NAME}-${STAGE_PLACEHOLDER}`)
          .replaceAll(`/${APP_NAME}/${stageName}/`, `/${APP_NAME}/${STAGE_PLACEHOLDER}/`);
  const template = JSON.parse(readFileSync(join(stackOutdir(stack), stack.templateFile), 'utf8')) as {
    Resources: Record<
      string,
      { Type: string; Properties?: Record<string, unknown>; Metadata?: Record<string, unknown> }
    >;
  };
  const paths = new Map<string, string>();
  for (const construct of stack.node.findAll()) {
    if (CfnResource.isCfnResource(construct) && construct.stack === stack) {
      const logicalId = stack.resolve(construct.logicalId) as string;
      const path = construct.node.path
        .slice(stack.node.path.length + 1)
        .replace(/\/Resource$/, '')
        // The event source's id carries the queue's unique id, which differs per stage.
        .replace(/\/SqsEventSource:\w+$/, '/SqsEventSource');
      paths.set(logicalId, path);
    }
  }
  return Object.entries(template.Resources)
    .filter(([, resource]) => resource.Type !== 'AWS::CDK::Metadata')
    .map(([logicalId, resource]) => {
      const name = physicalNameOf(resource.Properties ?? {});
      return {
        stack: stack.node.id.toLowerCase(),
        stage,
        stackName: generic(stack.stackName),
        path: paths.get(logicalId) ?? logicalId,
        logicalId,
        type: resource.Type,
        properties: resource.Properties ?? {},
        metadata: JSON.parse(generic(JSON.stringify(resource.Metadata ?? {}))),
        ...(name === undefined ? {} : { physicalName: generic(name) }),
      };
    });
}

/** The folder a stack's template is written to: the assembly of its stage, or the app's. */
function stackOutdir(stack: Stack): string {
  let scope = stack.node.scope;
  while (scope) {
    const outdir = (scope as { outdir?: unknown }).outdir;
    if (typeof outdir === 'string') return outdir;
    scope = scope.node.scope;
  }
  throw new Error(`${stack.node.path}: no assembly directory`);
}

function physicalNameOf(properties: Record<string, unknown>): string | undefined {
  const candidates = { ...properties, ...(properties.Budget as Record<string, unknown> | undefined) };
  for (const [key, value] of Object.entries(candidates)) {
    if (
      (key === 'Name' || key.endsWith('Name')) &&
      !NOT_PHYSICAL_NAMES.has(key) &&
      typeof value === 'string'
    ) {
      return value;
    }
  }
  return undefined;
}

/**
 * The states of the one state machine in `stack`. Its DefinitionString is an Fn::Join of text and
 * references (ARNs, names); a reference stands inside a JSON string, so a placeholder keeps the
 * joined text valid JSON.
 */
function stateNames(stack: Stack): string[] {
  const template = JSON.parse(readFileSync(join(stackOutdir(stack), stack.templateFile), 'utf8')) as {
    Resources: Record<string, { Type: string; Properties?: { DefinitionString?: unknown } }>;
  };
  const machines = Object.values(template.Resources).filter(
    (resource) => resource.Type === 'AWS::StepFunctions::StateMachine',
  );
  const definition = machines[0]?.Properties?.DefinitionString as
    | { 'Fn::Join': [string, unknown[]] }
    | undefined;
  if (machines.length !== 1 || !definition?.['Fn::Join']) {
    throw new Error(`${stack.stackName}: expected one state machine with an Fn::Join definition`);
  }
  const text = definition['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : 'REF')).join('');
  return Object.keys((JSON.parse(text) as { States: Record<string, unknown> }).States);
}
