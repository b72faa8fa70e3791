import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { beforeAll, describe, expect, it } from 'vitest';
import { COST_MODEL, inputsFrom, renderCostModel } from '../src/cost-model.ts';
import { driftOf, type GeneratedRegion, withFreshRegions } from '../src/generated-region.ts';
import { readRecordedBench } from '../src/recorded-bench.ts';
import { RESOURCE_TABLE, renderResourceTable } from '../src/resource-table.ts';
import { RUNBOOK_TABLES, renderRunbookTables } from '../src/runbook-tables.ts';
import { type SynthesizedApp, synthesizeApp } from '../src/synthesized-app.ts';

const RUNBOOK = new URL('../../../docs/runbook.md', import.meta.url);
/** A physical name written with the stage as `<stage>` or as the shell variable `$STAGE`. */
const STAGE_NAME = /serverless-commerce-(?:<stage>|\$STAGE|\$\{STAGE\})-([a-z0-9-]*[a-z0-9])/g;

let resources: SynthesizedApp['resources'];
let paymentWorkflowStates: string[];
beforeAll(() => {
  ({ resources, paymentWorkflowStates } = synthesizeApp());
});

/** Where the committed document differs from one with its regions written from the contents given. */
function driftOfRegions(regions: readonly (readonly [GeneratedRegion, string])[]): string[] {
  const document = regions[0]?.[0].document ?? '';
  const committed = readFileSync(document, 'utf8');
  return driftOf(document, committed, withFreshRegions(committed, regions));
}

describe('docs generated from the synthesized templates', () => {
  it('docs/architecture.md holds the current table of every resource (else: npm run resource-table -w @shop/docs-checks)', () => {
    const stale = driftOfRegions([[RESOURCE_TABLE, renderResourceTable(resources)]]);
    expect(stale, 'the resource table is out of date').toEqual([]);
  });

  it('docs/cost.md holds the cost model of the current templates and bench (else: npm run cost-model -w @shop/docs-checks)', () => {
    const model = renderCostModel(inputsFrom(resources, paymentWorkflowStates, readRecordedBench()));
    expect(driftOfRegions([[COST_MODEL, model]]), 'the cost model is out of date').toEqual([]);
    // The model prices every function an order runs from the templates, at the memory they configure.
    expect(model).toMatch(/\| place-order \| \d+ \| arm64 \|/);
    // It names the recorded run its durations come from, never a plain run's untracked results.
    expect(model).toMatch(/^Bench run: `bench\/recorded\.json`, recorded \d{4}-\d\d-\d\d \d\d:\d\d UTC /m);
    expect(model).not.toContain('results.json');
  });

  it('docs/runbook.md holds the alarm tables of the current templates (else: npm run runbook-tables -w @shop/docs-checks)', () => {
    const tables = renderRunbookTables(resources);
    expect(tables.map(([region]) => region)).toEqual(Object.values(RUNBOOK_TABLES));
    expect(driftOfRegions(tables), "the runbook's alarm tables are out of date").toEqual([]);
  });

  it('the table lists every stack of a stage and the pipeline', () => {
    const stacks = new Set(resources.map((resource) => resource.stackName));
    // The stateful stacks, one per service of apps/, the scenario suite's role (test) and the pipeline.
    const apps = new URL('../../../apps/', import.meta.url);
    const services = readdirSync(apps).filter((entry) => existsSync(new URL(`${entry}/package.json`, apps)));
    expect([...stacks].sort()).toEqual(
      [
        ...['data', 'identity', ...services, 'scenarios'].map(
          (stack) => `serverless-commerce-<stage>-${stack}`,
        ),
        'serverless-commerce-pipeline',
      ].sort(),
    );
  });
});

describe('docs/architecture.md', () => {
  it('draws every state of the PaymentWorkflow, by its name in the definition', () => {
    const architecture = readFileSync(RESOURCE_TABLE.document, 'utf8');
    const diagram = architecture.match(/```mermaid\n(stateDiagram-v2\n[\s\S]*?)```/)?.[1] ?? '';
    expect(paymentWorkflowStates.length).toBeGreaterThan(10);
    const missing = paymentWorkflowStates.filter((state) => !new RegExp(`\\b${state}\\b`).test(diagram));
    expect(missing, 'states missing from the stateDiagram-v2 in docs/architecture.md').toEqual([]);
  });
});

describe('docs/runbook.md', () => {
  const runbook = readFileSync(RUNBOOK, 'utf8');
  const runbookLines = runbook.split('\n');

  it('says what to do about every alarm in the templates, by its name', () => {
    const alarms = new Set(
      resources.flatMap((resource) =>
        resource.type === 'AWS::CloudWatch::Alarm' && resource.physicalName ? [resource.physicalName] : [],
      ),
    );
    expect(alarms.size).toBeGreaterThan(20);
    const missing = [...alarms].filter((alarm) => !runbook.includes(`\`${alarm}\``));
    expect(missing, `docs/runbook.md does not mention these alarms:\n${missing.join('\n')}`).toEqual([]);
  });

  it('names only resources that exist: every serverless-commerce-<stage>-... name in it is in the templates', () => {
    const names = new Set(
      resources.flatMap((resource) => (resource.physicalName ? [resource.physicalName] : [])),
    );
    for (const resource of resources) names.add(resource.stackName);
    const unknown = runbookLines.flatMap((line, index) =>
      [...line.matchAll(STAGE_NAME)]
        .map((match) => `serverless-commerce-<stage>-${match[1]}`)
        .filter((name) => !names.has(name))
        .map((name) => `docs/runbook.md:${index + 1}: ${name}`),
    );
    expect(unknown, unknown.join('\n')).toEqual([]);
  });
});
