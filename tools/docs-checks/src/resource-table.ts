#!/usr/bin/env node
// Writes the table of every resource, by the stack that owns it, into docs/architecture.md, between
// the RESOURCE TABLE markers, from a fresh synthesis of the CDK app (about 10 s):
//   npm run resource-table -w @shop/docs-checks               rewrites the region
//   node tools/docs-checks/src/resource-table.ts --check      exits 1 when the committed table is out of date
// The docs check in `npm test` runs the same comparison, so the table never drifts from the code.
import { fileURLToPath } from 'node:url';
import { type GeneratedRegion, runGenerator } from './generated-region.ts';
import { type SynthesizedResource, synthesizeApp } from './synthesized-app.ts';

export const RESOURCE_TABLE: GeneratedRegion = {
  document: fileURLToPath(new URL('../../../docs/architecture.md', import.meta.url)),
  name: 'RESOURCE TABLE',
  script: 'resource-table',
};

/** What a stack is for, where its name does not say it: a service's stack is `the <name> service`. */
const STACK_ROLES: Record<string, string> = {
  data: 'the stateful data stack',
  identity: "who may call the API: the customers' user pool and the bank webhook's secret (stateful)",
  scenarios: 'the role the scenario suite runs as against a deployed stage (test and preview stages)',
  pipeline: 'the pipeline, deployed once into the tooling account',
};
const STAGES = ['personal', 'test', 'prod'];

interface Row {
  readonly path: string;
  readonly type: string;
  readonly physicalName?: string;
  readonly stages: Set<string>;
}

/** The Markdown of the table: one collapsible section per stack, one row per resource. */
export function renderResourceTable(resources: readonly SynthesizedResource[]): string {
  const sections: string[] = [];
  // In the order the app synthesizes them: a stage's stacks in deployment order, then the pipeline.
  for (const stack of new Set(resources.map((resource) => resource.stack))) {
    const ofStack = resources.filter((resource) => resource.stack === stack);
    const stackName = ofStack.find((resource) => resource.stage !== 'prod')?.stackName ?? stack;
    const rows = new Map<string, Row>();
    for (const resource of ofStack) {
      const key = `${resource.path}\u0000${resource.type}`;
      const row = rows.get(key) ?? {
        path: resource.path,
        type: resource.type,
        ...(resource.physicalName === undefined ? {} : { physicalName: resource.physicalName }),
        stages: new Set<string>(),
      };
      row.stages.add(resource.stage);
      rows.set(key, row);
    }
    const sorted = [...rows.values()].sort(
      (a, b) => a.path.localeCompare(b.path) || a.type.localeCompare(b.type),
    );
    const lines = sorted.map(
      (row) =>
        `| ${code(row.path)} | ${code(row.type)} | ${row.physicalName ? code(row.physicalName) : ''} | ${stagesOf(row.stages)} |`,
    );
    sections.push(
      [
        '<details>',
        `<summary><code>${escapeHtml(stackName)}</code>: ${STACK_ROLES[stack] ?? `the ${stack} service`}, ${rows.size} resources</summary>`,
        '',
        '| Resource (construct path) | Type | Physical name | Stages |',
        '|---|---|---|---|',
        ...lines,
        '',
        '</details>',
      ].join('\n'),
    );
  }
  return sections.join('\n\n');
}

function stagesOf(stages: ReadonlySet<string>): string {
  if (stages.has('pipeline')) return 'tooling account';
  if (STAGES.every((stage) => stages.has(stage))) return 'all';
  return STAGES.filter((stage) => stages.has(stage)).join(', ');
}

const code = (text: string) => `\`${text.replaceAll('|', '\\|')}\``;
const escapeHtml = (text: string) =>
  text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  console.log('Synthesizing the CDK app (personal, test and prod stages, the pipeline)...');
  runGenerator('The resource table', () => [
    [RESOURCE_TABLE, renderResourceTable(synthesizeApp().resources)],
  ]);
}
