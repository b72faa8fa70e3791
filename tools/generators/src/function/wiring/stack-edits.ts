import type { Tree } from '@nx/devkit';
import { insertAt } from '../../source-edits.ts';

/** Where a service's stack gets a new function: before its dashboard, which lists what is above it. */
export function addToServiceStack(tree: Tree, service: string, code: string): void {
  insertAt(tree, serviceStack(service), { before: /\n {4}this\.addDashboard\(/ }, `\n${code}`);
}

export const serviceStack = (service: string) => `infra/src/stacks/${service}-service.ts`;

/** An SSM parameter another stack finds a resource by, beside the others. */
export function addParameter(tree: Tree, key: string, reference: string): void {
  insertAt(
    tree,
    'infra/src/parameters.ts',
    { before: /\} as const satisfies Record<string, ParameterRef>;/ },
    `  ${key}: ${reference},\n`,
  );
}

/** An event the bench measures the function with, in the object of every function's scenario. */
export function addBenchScenario(tree: Tree, name: string, scenario: string): void {
  insertAt(tree, BENCH_SCENARIOS, { before: /\n {2}\};\n\}\n*$/ }, `\n    '${name}': ${scenario},`);
}

export const BENCH_SCENARIOS = 'tools/bench/src/scenarios.ts';
